/* The JSON forms of samples and container statuses: all.json as every node
 * publishes and renders it, and the status a node publishes per container.
 * Pure functions over jansson. */
#ifndef FOG_METRICS_JSON_H
#define FOG_METRICS_JSON_H
#include "core/metrics.h"
#include <stddef.h>

struct fs_buf;
struct fog_container;

/* all.json; age >= 0 adds "age" (seconds since taken, for a down node). */
void fog_metrics_render_json(const struct fog_node_metrics *m, double age, struct fs_buf *out);
int fog_metrics_parse_json(const char *text, size_t len, struct fog_node_metrics *out);

/* A container's published status. ips/devices: lines, may be NULL. */
char *fog_status_json(const struct fog_container *c, int autoscale, const char *ips,
                      const char *devices);
int fog_status_parse(const char *text, size_t len, struct fog_container *out);
/* One list field ("ip", "devices") as lines. */
int fog_status_lines(const char *text, size_t len, const char *field, struct fs_buf *out);

#endif
