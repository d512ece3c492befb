/* The cluster: every node's registration, sample and container statuses as
 * the store holds them, cached from one watch; node liveness from leases;
 * writes to another node's containers as desired specs the owner applies.
 *
 * Keys (values JSON unless said otherwise):
 *   nodes/<node>/info                 {"arch","cpus","cap_cpu_m","cap_mem","state",
 *                                      "shared_dir","lxcpath"} under the node's
 *                                      lease: absent = the node is down
 *   nodes/<node>/sample               all.json of the latest sample (no lease)
 *   nodes/<node>/containers/<name>    status: {"state","cpu_limit_m","cpu_request_m",
 *                                      "mem_limit","cpu_usage_m","mem_usage","pids",
 *                                      "ip":[],"devices":[],"autoscale",
 *                                      "applied":<spec revision>,
 *                                      "failed":{"rev":R,"errno":E,"detail":"..."}}
 *   specs/<node>/<name>               desired spec a writer CASes:
 *                                      {"set":{"<file>":"<value>"},"by":"<node>"}
 *   migrations/<name>                 a migration in progress (see core/migrate.c)
 *   events/<node>                     the node's latest event line (text)
 */
#ifndef FOG_CLUSTER_H
#define FOG_CLUSTER_H
#include <stddef.h>
#include <stdint.h>

struct fog_ctx;
struct fog_container;
struct fog_node_metrics;

int fog_cluster_start(struct fog_ctx *ctx);
void fog_cluster_stop(struct fog_ctx *ctx);

#endif
