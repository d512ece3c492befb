/* Parsing and printing of the values users write: CPU amounts, memory sizes,
 * names. Pure functions; each returns 0, -EINVAL (does not parse) or -ERANGE. */
#ifndef FOG_UNITS_H
#define FOG_UNITS_H
#include <stddef.h>
#include <stdint.h>

#define FOG_UNLIMITED (-1)   /* "max" */
#define FOG_VALUE_MAX 4096   /* longest value a write may carry */

/* "250m", "0.25", "2", "max" -> millicores (FOG_UNLIMITED for max when
 * allow_max). Surrounding white space is ignored. */
int units_parse_cpu(const char *s, size_t len, int allow_max, int64_t *millicores);
/* 250 -> "250m", FOG_UNLIMITED -> "max". */
void units_format_cpu(int64_t millicores, char *buf, size_t len);
/* "268435456", "256M", "1G", "512Mi", "max" -> bytes (FOG_UNLIMITED for max). */
int units_parse_mem(const char *s, size_t len, int allow_max, int64_t *bytes);
void units_format_mem(int64_t bytes, char *buf, size_t len);
/* A whole non-negative integer in [min, max]. */
int units_parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);
/* A container or node name: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}. */
int units_check_name(const char *s, size_t len);
/* Trims leading and trailing white space; rejects NUL and other control
 * bytes inside the value (-EINVAL). Writes the start and length found. */
int units_trim(const char *s, size_t len, const char **start, size_t *out_len);

#endif
