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
struct fs_buf;

/* A node as the cluster sees it. */
enum fog_node_state { FOG_NODE_UNKNOWN = 0, FOG_NODE_UP, FOG_NODE_DRAINING, FOG_NODE_DOWN };

struct fog_node_info {
    char arch[72];
    int cpus;
    int64_t cap_cpu_m, cap_mem;
    char shared_dir[512];
};

/* Registers this node under a lease, loads every node from the store and
 * follows it with watches. */
int fog_cluster_start(struct fog_ctx *ctx);
void fog_cluster_stop(struct fog_ctx *ctx);
/* From the agent, once per interval: keeps the lease alive (registering
 * again if it lapsed) and publishes this node's container statuses. */
void fog_cluster_tick(struct fog_ctx *ctx);
/* Its addresses or devices changed: the next publish reads them again. */
void fog_cluster_lines_changed(struct fog_ctx *ctx, const char *name);
/* Publishes one local container's status now (after an operation). */
void fog_cluster_publish_container(struct fog_ctx *ctx, const char *name);
/* Publishes every local status now and deletes those of containers gone. */
void fog_cluster_tick_statuses(struct fog_ctx *ctx);
/* Re-puts this node's registration (after its state changed). */
int fog_cluster_register(struct fog_ctx *ctx);

/* Removes a node that is down from the cluster (its registration, sample
 * and statuses): -EBUSY for this node or one that is up, -ENOENT if unknown.
 * A board that comes back registers again. */
int fog_cluster_forget_node(struct fog_ctx *ctx, const char *node);

/* Reads of the cached view (any node, this one included). */
void fog_cluster_list_nodes(struct fog_ctx *ctx, void (*fn)(void *, const char *), void *arg);
enum fog_node_state fog_cluster_node_state(struct fog_ctx *ctx, const char *node);
const char *fog_node_state_name(enum fog_node_state st);
int fog_cluster_node_info(struct fog_ctx *ctx, const char *node, struct fog_node_info *out);
/* The node's last published sample; *age = seconds since it was taken. */
int fog_cluster_node_sample(struct fog_ctx *ctx, const char *node, struct fog_node_metrics *out,
                            double *age);
void fog_cluster_list_containers(struct fog_ctx *ctx, const char *node,
                                 void (*fn)(void *, const char *), void *arg);
int fog_cluster_container_exists(struct fog_ctx *ctx, const char *node, const char *name);
/* A remote container's status as a table entry (limits, state, usage). */
int fog_cluster_container(struct fog_ctx *ctx, const char *node, const char *name,
                          struct fog_container *out);
/* One list field ("ip" or "devices") of a container's status, one per line. */
int fog_cluster_container_lines(struct fog_ctx *ctx, const char *node, const char *name,
                                const char *field, struct fs_buf *out);
/* Sum of cpu requests of a node's containers (from statuses). */
int64_t fog_cluster_allocated_cpu(struct fog_ctx *ctx, const char *node);

#endif
