/* ledd: shows a fogfs node's LED frame (/fog/<node>/led/rows) on a MAX7219
 * module, a bare 8x8 matrix, or a terminal. Command line and config file;
 * the work is in ledd.c. See ledd(8). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledd/config.h"
#include "ledd/gpio_port.h"
#include "ledd/ledd.h"

#define LEDD_DEFAULT_CONFIG "/etc/ledd.conf"

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: ledd [OPTION]...\n"
        "Shows a fogfs node's 8x8 LED frame on a MAX7219 module, a bare matrix\n"
        "(16 GPIO lines) or a terminal. Reads the rows file every interval.\n"
        "\n"
        "  -c, --config FILE       config file (default " LEDD_DEFAULT_CONFIG " if it exists)\n"
        "  -d, --driver NAME       max7219 | matrix16 | term\n"
        "      --chip SPEC         auto | gpiochipN | /dev/gpiochipN | LABEL\n"
        "  -r, --rows FILE         rows file (default /fog/<hostname>/led/rows)\n"
        "  -b, --brightness-file FILE   0..15 file (default /fog/<hostname>/led/brightness)\n"
        "  -i, --interval SECONDS  time between two reads (default 1)\n"
        "  -s, --set KEY=VALUE     any config key, as in the config file\n"
        "      --once              show one frame and exit (status 1 if the file is bad)\n"
        "      --test-pattern      show the test patterns (all, rows, columns,\n"
        "                          checkerboards, orientation mark) instead of the file\n"
        "  -h, --help              this text\n"
        "      --version           version and GPIO library\n"
        "\n"
        "SIGTERM or SIGINT blanks the display, releases the lines and exits.\n"
        "See ledd(8) for the config keys.\n");
}

static int set_option(struct ledd_config *cfg, const char *key, const char *value)
{
    int rc = ledd_config_set(cfg, key, value);
    if (rc)
        fprintf(stderr, "ledd: %s \"%s\": %s\n", key, value,
                rc == -ERANGE ? "out of range" : "invalid value");
    return rc;
}

int main(int argc, char **argv)
{
    enum { OPT_CHIP = 256, OPT_ONCE, OPT_TEST, OPT_VERSION };
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "driver", required_argument, NULL, 'd' },
        { "chip", required_argument, NULL, OPT_CHIP },
        { "rows", required_argument, NULL, 'r' },
        { "brightness-file", required_argument, NULL, 'b' },
        { "interval", required_argument, NULL, 'i' },
        { "set", required_argument, NULL, 's' },
        { "once", no_argument, NULL, OPT_ONCE },
        { "test-pattern", no_argument, NULL, OPT_TEST },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    struct ledd_config cfg;
    struct ledd_run_options opt = { 0, 0, stdout, stderr };
    const char *config_path = NULL;
    int c, rc, bad_line;

    /* First pass: only --config and --help, so options override the file. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:d:r:b:i:s:h", longopts, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else if (c == OPT_VERSION) {
            printf("ledd (fogfs) 0.1, %s\n", gpio_port_api());
            return 0;
        }
    }
    ledd_config_defaults(&cfg, NULL);
    if (!config_path && access(LEDD_DEFAULT_CONFIG, F_OK) == 0)
        config_path = LEDD_DEFAULT_CONFIG;
    if (config_path) {
        rc = ledd_config_load(&cfg, config_path, &bad_line);
        if (rc) {
            if (bad_line)
                fprintf(stderr, "ledd: %s:%d: %s\n", config_path, bad_line,
                        rc == -ERANGE ? "value out of range" : "unknown key or bad value");
            else
                fprintf(stderr, "ledd: %s: %s\n", config_path, strerror(-rc));
            return 2;
        }
    }
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "c:d:r:b:i:s:h", longopts, NULL)) != -1) {
        rc = 0;
        switch (c) {
        case 'c':
            break;
        case 'd': rc = set_option(&cfg, "driver", optarg); break;
        case OPT_CHIP: rc = set_option(&cfg, "chip", optarg); break;
        case 'r': rc = set_option(&cfg, "rows", optarg); break;
        case 'b': rc = set_option(&cfg, "brightness_file", optarg); break;
        case 'i': rc = set_option(&cfg, "interval", optarg); break;
        case 's': {
            char key[64];
            const char *eq = strchr(optarg, '=');
            if (!eq || (size_t)(eq - optarg) >= sizeof key) {
                fprintf(stderr, "ledd: --set wants KEY=VALUE, not \"%s\"\n", optarg);
                return 2;
            }
            memcpy(key, optarg, (size_t)(eq - optarg));
            key[eq - optarg] = 0;
            rc = set_option(&cfg, key, eq + 1);
            break;
        }
        case OPT_ONCE: opt.once = 1; break;
        case OPT_TEST: opt.test_pattern = 1; break;
        default:
            usage(stderr);
            return 2;
        }
        if (rc)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "ledd: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    rc = ledd_run(&cfg, &opt);
    return rc ? 1 : 0;
}
