/* One sample of a node and of its containers, as the node agent takes it
 * once per interval and as every metrics file renders it. Plain data. */
#ifndef FOG_METRICS_H
#define FOG_METRICS_H
#include <stdint.h>

struct fog_node_metrics {
    double time;            /* unix seconds when taken */
    double interval;        /* seconds since the previous sample */
    double cpu_percent;     /* busy percent over the interval */
    double mem_percent;     /* (MemTotal - MemAvailable) / MemTotal * 100 */
    uint64_t mem_total;     /* bytes */
    uint64_t mem_available; /* bytes */
    double net_rx_bps;      /* bytes/s, all interfaces but lo */
    double net_tx_bps;
    double iops_read;       /* completed I/Os per second, whole disks only */
    double iops_write;
    double load[3];
    int has_temp;           /* 0 when there is no thermal_zone0 */
    double temp_c;
    double uptime_s;
    int cpus_online;
    int containers_running;
};

#endif
