/* JSON of samples (all.json) and of container statuses, both ways. */
#include "core/metrics_json.h"
#include "backends/lxc.h"
#include "core/ctable.h"
#include "fs/tree.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double one_decimal(double v)
{
    return round(v * 10) / 10;
}

void fog_metrics_render_json(const struct fog_node_metrics *m, double age, struct fs_buf *out)
{
    json_t *o = json_object();
    if (!o) {
        out->oom = 1;
        return;
    }
    json_object_set_new(o, "time", json_real(m->time));
    json_object_set_new(o, "interval", json_real(m->interval));
    json_object_set_new(o, "cpu", json_real(one_decimal(m->cpu_percent)));
    json_object_set_new(o, "mem", json_real(one_decimal(m->mem_percent)));
    json_object_set_new(o, "net_rx", json_integer(llround(m->net_rx_bps)));
    json_object_set_new(o, "net_tx", json_integer(llround(m->net_tx_bps)));
    json_object_set_new(o, "iops_read", json_real(one_decimal(m->iops_read)));
    json_object_set_new(o, "iops_write", json_real(one_decimal(m->iops_write)));
    json_object_set_new(o, "load", json_pack("[fff]", m->load[0], m->load[1], m->load[2]));
    if (m->has_temp)
        json_object_set_new(o, "temp", json_real(one_decimal(m->temp_c)));
    json_object_set_new(o, "uptime", json_integer(llround(m->uptime_s)));
    json_object_set_new(o, "containers", json_integer(m->containers_running));
    json_object_set_new(o, "cpus", json_integer(m->cpus_online));
    if (age >= 0)
        json_object_set_new(o, "age", json_real(one_decimal(age)));
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (!s) {
        out->oom = 1;
        return;
    }
    fs_buf_add(out, s, strlen(s));
    fs_buf_add(out, "\n", 1);
    free(s);
}

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : 0;
}

int fog_metrics_parse_json(const char *text, size_t len, struct fog_node_metrics *m)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return -EINVAL;
    }
    memset(m, 0, sizeof *m);
    m->time = num(o, "time");
    m->interval = num(o, "interval");
    m->cpu_percent = num(o, "cpu");
    m->mem_percent = num(o, "mem");
    m->net_rx_bps = num(o, "net_rx");
    m->net_tx_bps = num(o, "net_tx");
    m->iops_read = num(o, "iops_read");
    m->iops_write = num(o, "iops_write");
    json_t *load = json_object_get(o, "load");
    for (int i = 0; i < 3; i++)
        m->load[i] = json_is_number(json_array_get(load, i)) ? json_number_value(json_array_get(load, i)) : 0;
    m->has_temp = json_object_get(o, "temp") != NULL;
    m->temp_c = num(o, "temp");
    m->uptime_s = num(o, "uptime");
    m->containers_running = (int)num(o, "containers");
    m->cpus_online = (int)num(o, "cpus");
    json_decref(o);
    return 0;
}

static json_t *json_lines(const char *lines)
{
    json_t *a = json_array();
    if (!lines)
        return a;
    const char *p = lines;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (e ? 1 : 0);
    }
    return a;
}

char *fog_status_json(const struct fog_container *c, int autoscale, const char *ips,
                      const char *devices)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "state", json_string(c->transition ? c->transition
                                                : lxcb_state_name(c->state)));
    json_object_set_new(o, "cpu_limit_m", json_integer(c->limits.cpu_limit_m));
    json_object_set_new(o, "cpu_request_m", json_integer(c->limits.cpu_request_m));
    json_object_set_new(o, "mem_limit", json_integer(c->limits.mem_limit));
    json_object_set_new(o, "cpu_usage_m", json_integer(c->cpu_usage_m));
    json_object_set_new(o, "mem_usage", json_integer((json_int_t)c->mem_usage));
    json_object_set_new(o, "pids", json_integer((json_int_t)c->pids));
    json_object_set_new(o, "autoscale", json_integer(autoscale));
    json_object_set_new(o, "started_at", json_real(c->started_at));
    json_object_set_new(o, "ip", json_lines(ips));
    json_object_set_new(o, "devices", json_lines(devices));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

static enum lxcb_state state_from_name(const char *s, const char **transition)
{
    static const char *const names[] = { "STOPPED", "STARTING", "RUNNING", "STOPPING", "FROZEN" };
    static const enum lxcb_state states[] = { LXCB_STOPPED, LXCB_STARTING, LXCB_RUNNING,
                                              LXCB_STOPPING, LXCB_FROZEN };
    *transition = NULL;
    for (int i = 0; i < 5; i++) {
        if (s && !strcmp(s, names[i])) {
            if (states[i] == LXCB_STARTING || states[i] == LXCB_STOPPING)
                *transition = names[i];
            return states[i];
        }
    }
    return LXCB_UNKNOWN;
}

int fog_status_parse(const char *text, size_t len, struct fog_container *c)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return -EINVAL;
    }
    c->state = state_from_name(json_string_value(json_object_get(o, "state")), &c->transition);
    c->limits.cpu_limit_m = (int64_t)num(o, "cpu_limit_m");
    c->limits.cpu_request_m = (int64_t)num(o, "cpu_request_m");
    c->limits.mem_limit = (int64_t)num(o, "mem_limit");
    c->limits.autoscale = (int)num(o, "autoscale");
    c->cpu_usage_m = (int64_t)num(o, "cpu_usage_m");
    c->mem_usage = (uint64_t)num(o, "mem_usage");
    c->pids = (uint64_t)num(o, "pids");
    c->started_at = num(o, "started_at");
    json_decref(o);
    return 0;
}

int fog_status_lines(const char *text, size_t len, const char *field, struct fs_buf *out)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return -EINVAL;
    }
    json_t *a = json_object_get(o, field);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s) {
            fs_buf_add(out, s, strlen(s));
            fs_buf_add(out, "\n", 1);
        }
    }
    json_decref(o);
    return 0;
}
