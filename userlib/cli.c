// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * edudma: command-line tool for edudma devices, built on libedudma. The
 * commands, the options they share, and their output: text for people,
 * one JSON document (json-c) with --json.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

struct cli cli = { .device = "0" };

/* ---- output ----------------------------------------------------------------- */

struct json_object *cli_json_double(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

struct json_object *cli_json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

void cli_json_add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

int cli_emit(struct json_object *doc, int status)
{
	if (cli.json && doc)
		printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	fflush(stdout);
	return status;
}

/* what to try when @what failed with @err: NULL if nothing useful */
static const char *hint(const char *what, int err)
{
	switch (-err) {
	case EACCES:
	case EPERM:
		return strstr(what, "segments") ? "bus addresses need CAP_SYS_ADMIN" :
			"the device node belongs to the 'edudma' group: add yourself to it "
			"(usermod -aG edudma USER) or run as root";
	case ENOENT:
		return strstr(what, "open") ? "is edudma.ko loaded (modprobe edudma)? "
			"'edudma info' lists the edu devices and their nodes" : NULL;
	case ENODEV:
		if (strstr(what, "open"))
			return "not an edudma device node, or the edu device is not bound to "
				"edudma ('edudma info' shows its driver)";
		if (strstr(what, "bound"))
			return "is edudma.ko loaded (modprobe edudma)? 'edudma info' shows each "
				"edu device's driver";
		return "the device went away (unbound or unplugged)";
	case EOPNOTSUPP:
		return strstr(what, "import") ? "the importing device cannot reach the "
			"dma-buf's memory: its DMA mask is too narrow (QEMU: -device "
			"edu,dma_mask=...; 'edudma info' shows it) and there is no IOMMU" : NULL;
	case EDQUOT:
		return "the per-file or per-device buffer limit (edudma's max_file_bytes and "
			"max_device_bytes parameters)";
	case EFBIG:
		return "larger than edudma's max_buffer_size parameter";
	case ENOMEM:
		return strstr(what, "alloc") ? "coherent buffers need contiguous memory: "
			"--kind pages or vmalloc" : NULL;
	case EBUSY:
		return "another program holds the device";
	default:
		return NULL;
	}
}

int cli_fail(const char *what, int err, struct json_object *partial)
{
	const char *h = hint(what, err);
	struct json_object *e;

	fprintf(stderr, "edudma %s: %s: %s\n", cli.command, what, strerror(-err));
	if (h)
		fprintf(stderr, "edudma %s: hint: %s\n", cli.command, h);
	if (!cli.json) {
		json_object_put(partial);
		return EXIT_FAIL;
	}
	e = json_object_new_object();
	cli_json_add(e, "command", json_object_new_string(cli.command));
	cli_json_add(e, "what", json_object_new_string(what));
	cli_json_add(e, "errno", json_object_new_int(-err));
	cli_json_add(e, "message", json_object_new_string(strerror(-err)));
	cli_json_add(e, "hint", h ? json_object_new_string(h) : NULL);
	if (!partial)
		partial = json_object_new_object();
	cli_json_add(partial, "error", e);
	return cli_emit(partial, EXIT_FAIL);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "edudma %s: ", cli.command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'edudma %s --help'.\n", cli.command);
	return EXIT_USAGE;
}

/* ---- options ---------------------------------------------------------------- */

enum { OPT_DEVICE = 'd', OPT_JSON = 'j', OPT_QUIET = 'q', OPT_HELP = 'h' };

static const struct cli_opt common_opts[] = {
	{ "device", OPT_DEVICE, "DEV", "/dev/edudmaN, N or a PCI address (default 0)" },
	{ "json", OPT_JSON, NULL, "one JSON document on stdout, errors included" },
	{ "quiet", OPT_QUIET, NULL, "no progress line" },
	{ "help", OPT_HELP, NULL, "this help" },
	{ NULL, 0, NULL, NULL },
};

static void print_opts(FILE *f, const struct cli_opt *o)
{
	for (; o && o->name; o++) {
		char left[64], sh[8] = "    ";

		if (o->key < 128)
			snprintf(sh, sizeof(sh), "-%c, ", o->key);
		snprintf(left, sizeof(left), "%s--%s%s%s", sh, o->name, o->arg ? "=" : "",
			 o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

int cli_parse(int argc, char **argv, const char *usage, const struct cli_opt *opts,
	      int (*set)(int key, const char *arg, void *ctx), void *ctx, int *first_pos)
{
	struct option lo[32];
	char so[80];
	size_t n = 0, s = 0;
	const struct cli_opt *tabs[2] = { common_opts, opts };
	int c;

	for (int t = 0; t < 2; t++) {
		for (const struct cli_opt *o = tabs[t]; o && o->name; o++) {
			lo[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						   NULL, o->key };
			if (o->key < 128) {
				so[s++] = (char)o->key;
				if (o->arg)
					so[s++] = ':';
			}
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	so[s] = '\0';
	optind = 0;	/* 0, not 1: GNU getopt starts afresh (main's scan stopped early) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		int ret;

		switch (c) {
		case OPT_DEVICE:
			cli.device = optarg;
			cli.device_set = true;
			continue;
		case OPT_JSON:
			cli.json = true;
			continue;
		case OPT_QUIET:
			cli.quiet = true;
			continue;
		case OPT_HELP:
			printf("usage: edudma %s %s\noptions:\n", cli.command, usage);
			print_opts(stdout, opts);
			print_opts(stdout, common_opts);
			return EXIT_OK;
		case '?':
			if (optopt > 0 && optopt < 128)
				return cli_usage_error("unknown option or missing argument: -%c",
						       optopt);
			return cli_usage_error("unknown option or missing argument: %s",
					       argv[optind - 1]);
		default:
			ret = set ? set(c, optarg, ctx) : EXIT_USAGE;
			if (ret >= 0)
				return ret;
		}
	}
	*first_pos = optind;
	return -1;
}

int cli_parse_size_arg(const char *opt, const char *s, uint64_t *out)
{
	if (edudma_util_parse_size(s, out) || !*out)
		return cli_usage_error("--%s: not a size above 0: '%s' (4096, 64K, 1M, 0x1000)",
				       opt, s);
	return -1;
}

int cli_parse_kind_arg(const char *s, uint32_t *kind)
{
	if (edudma_util_parse_kind(s, kind))
		return cli_usage_error("--kind: '%s' is not auto, coherent, pages or vmalloc", s);
	return -1;
}

static int parse_u32(const char *what, const char *s, uint32_t *out)
{
	uint64_t v;

	if (edudma_util_parse_size(s, &v) || v > UINT32_MAX)
		return cli_usage_error("%s: not a 32-bit number: '%s'", what, s);
	*out = (uint32_t)v;
	return -1;
}

/* ---- helpers ---------------------------------------------------------------- */

int cli_open(const char *name, struct edudma **e)
{
	char what[320];
	int ret = edudma_open(name, e);

	if (ret) {
		snprintf(what, sizeof(what), "open device '%s'", name);
		return cli_fail(what, ret, NULL);
	}
	return 0;
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cli_progress_start(struct cli_progress *p, const char *what)
{
	(void)what;
	p->on = !cli.quiet && !cli.json && isatty(STDERR_FILENO);
	p->t0 = cli_now_ns();
	p->last = 0;
}

void cli_progress_update(struct cli_progress *p, const char *what, uint64_t done,
			 uint64_t total, const char *unit)
{
	uint64_t now = cli_now_ns();
	double s = (now - p->t0) / 1e9, frac;
	char bar[21];
	int fill;

	if (!p->on || !total || (p->last && now - p->last < 200000000u))
		return;
	p->last = now ? now : 1;
	done = done > total ? total : done;
	frac = (double)done / total;
	fill = (int)(frac * 20);
	memset(bar, '#', fill);
	memset(bar + fill, '.', 20 - fill);
	bar[20] = '\0';
	fprintf(stderr, "\r%s [%s] %3.0f%% %" PRIu64 "/%" PRIu64 " %s, %.1f s", what, bar,
		100 * frac, done, total, unit, s);
	if (done && done < total)
		fprintf(stderr, ", %.0f s left  ", s / frac - s);
	else
		fprintf(stderr, "         ");
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->on && p->last)
		fprintf(stderr, "\n");
}

int cli_measure_limit(struct edudma *e, struct cli_limit *lim)
{
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE };
	struct edudma_stats s0, s1;
	struct edudma_info in;
	struct edudma_buf *b;
	int ret;

	ret = edudma_get_info(e, &in);
	if (ret)
		return ret;
	lim->window = in.window_size;
	ret = edudma_buf_alloc(e, in.window_size, EDUDMA_BUF_COHERENT, &b);
	if (ret)
		return ret;
	x.src_handle = edudma_buf_handle(b);
	x.length = in.window_size;
	ret = edudma_get_stats(e, &s0, sizeof(s0));
	if (!ret)
		ret = edudma_submit(e, &x);
	if (!ret)
		ret = edudma_get_stats(e, &s1, sizeof(s1));
	edudma_buf_free(b);
	if (ret)
		return ret;
	/* the device's busy time per command; other files' commands count too */
	if (s1.dma_commands > s0.dma_commands)
		lim->command_ns = (s1.busy_ns - s0.busy_ns) / (s1.dma_commands - s0.dma_commands);
	else
		lim->command_ns = x.device_ns / (x.commands ? x.commands : 1);
	if (!lim->command_ns)
		return -EIO;
	lim->bytes_per_s = lim->window * 1e9 / lim->command_ns;
	return 0;
}

/* a command without options or arguments of its own: -1 to go on, else the exit status */
static int parse_noargs(int argc, char **argv)
{
	int ret, pos;

	ret = cli_parse(argc, argv, "", NULL, NULL, NULL, &pos);
	if (ret >= 0)
		return ret;
	if (pos != argc)
		return cli_usage_error("takes no arguments");
	return -1;
}

/* ---- info ------------------------------------------------------------------- */

static const char *irq_mode_name(uint32_t mode)
{
	switch (mode) {
	case EDUDMA_IRQ_MSI:
		return "MSI";
	case EDUDMA_IRQ_INTX:
		return "INTx";
	default:
		return "unknown";
	}
}

static const struct {
	uint64_t bit;
	const char *name;
} cap_names[] = {
	{ EDUDMA_CAP_FACTORIAL, "factorial" }, { EDUDMA_CAP_LIVENESS, "liveness" },
	{ EDUDMA_CAP_SELFTEST, "selftest" }, { EDUDMA_CAP_BUFFERS, "buffers" },
	{ EDUDMA_CAP_STATS, "stats" }, { EDUDMA_CAP_XFER, "xfer" },
	{ EDUDMA_CAP_DMABUF, "dmabuf" }, { EDUDMA_CAP_USER_MEMORY, "user-memory" },
	{ EDUDMA_CAP_URING, "uring" }, { EDUDMA_CAP_URING_CANCEL, "uring-cancel" },
};

static void info_human(const struct edudma_device *d, const struct edudma_info *in, int err)
{
	printf("%s  edu 1234:11e8 rev 0x%02x  BAR0 %" PRIu64 " KiB  IRQ %d\n",
	       edudma_device_address(d), edudma_device_revision(d),
	       edudma_device_bar_size(d) >> 10, edudma_device_irq(d));
	if (edudma_device_minor(d) < 0) {
		printf("  not bound to edudma (driver: %s)\n",
		       edudma_device_driver(d)[0] ? edudma_device_driver(d) : "none");
		return;
	}
	if (err) {
		printf("  %s: %s\n", edudma_device_node(d), strerror(-err));
		return;
	}
	printf("  device      %s\n", edudma_device_node(d));
	printf("  ident       0x%08x (edu %u.%u)\n", in->ident, in->ident >> 24,
	       (in->ident >> 16) & 0xff);
	printf("  api         %u\n", in->api_version);
	printf("  irq mode    %s\n", irq_mode_name(in->irq_mode));
	printf("  dma mask    %u bits\n", in->dma_mask_bits);
	printf("  window      %u bytes at device address 0x%" PRIx64 "\n", in->window_size,
	       (uint64_t)in->window_addr);
	printf("  caps        0x%" PRIx64, (uint64_t)in->caps);
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (in->caps & cap_names[i].bit)
			printf(" %s", cap_names[i].name);
	printf("\n");
}

static struct json_object *info_json(const struct edudma_device *d, const struct edudma_info *in,
				     int err)
{
	struct json_object *o = json_object_new_object(), *i, *caps;

	cli_json_add(o, "address", json_object_new_string(edudma_device_address(d)));
	cli_json_add(o, "vendor_id", json_object_new_int(0x1234));
	cli_json_add(o, "device_id", json_object_new_int(0x11e8));
	cli_json_add(o, "revision", json_object_new_int((int)edudma_device_revision(d)));
	cli_json_add(o, "bar0_size", cli_json_u64(edudma_device_bar_size(d)));
	cli_json_add(o, "irq", json_object_new_int(edudma_device_irq(d)));
	cli_json_add(o, "driver", edudma_device_driver(d)[0] ?
		     json_object_new_string(edudma_device_driver(d)) : NULL);
	cli_json_add(o, "node", edudma_device_minor(d) >= 0 ?
		     json_object_new_string(edudma_device_node(d)) : NULL);
	if (edudma_device_minor(d) < 0 || err) {
		cli_json_add(o, "info", NULL);
		if (err)
			cli_json_add(o, "error", json_object_new_string(strerror(-err)));
		return o;
	}
	i = json_object_new_object();
	cli_json_add(i, "api_version", json_object_new_int((int)in->api_version));
	cli_json_add(i, "ident", json_object_new_int64(in->ident));
	caps = json_object_new_array();
	for (size_t k = 0; k < sizeof(cap_names) / sizeof(cap_names[0]); k++)
		if (in->caps & cap_names[k].bit)
			json_object_array_add(caps, json_object_new_string(cap_names[k].name));
	cli_json_add(i, "caps", caps);
	cli_json_add(i, "irq_mode", json_object_new_string(irq_mode_name(in->irq_mode)));
	cli_json_add(i, "dma_mask_bits", json_object_new_int((int)in->dma_mask_bits));
	cli_json_add(i, "window_addr", cli_json_u64(in->window_addr));
	cli_json_add(i, "window_bytes", json_object_new_int64(in->window_size));
	cli_json_add(i, "minor", json_object_new_int((int)in->minor));
	cli_json_add(o, "info", i);
	return o;
}

static int cmd_info(int argc, char **argv)
{
	struct json_object *doc, *arr;
	struct edudma_device **list;
	int ret;
	size_t n;

	ret = parse_noargs(argc, argv);
	if (ret >= 0)
		return ret;
	ret = edudma_list(&list, &n);
	if (ret)
		return cli_fail("list PCI devices", ret, NULL);
	doc = json_object_new_object();
	arr = json_object_new_array();
	cli_json_add(doc, "library", json_object_new_string(edudma_version()));
	cli_json_add(doc, "devices", arr);
	if (!n && !cli.json)
		printf("no edu device (1234:11e8) found\n");
	for (size_t i = 0; i < n; i++) {
		struct edudma_info info = { 0 };
		struct edudma *e = NULL;
		int err = 0;

		if (edudma_device_minor(list[i]) >= 0) {
			err = edudma_open(edudma_device_node(list[i]), &e);
			if (!err)
				err = edudma_get_info(e, &info);
			edudma_close(e);
		}
		if (cli.json)
			json_object_array_add(arr, info_json(list[i], &info, err));
		else
			info_human(list[i], &info, err);
	}
	edudma_list_free(list);
	return cli_emit(doc, n ? EXIT_OK : EXIT_FAIL);
}

/* ---- factorial, liveness, selftest, stats ----------------------------------- */

enum { OPT_WRAP = 'w' };

static int set_flag(int key, const char *arg, void *ctx)
{
	(void)arg;
	if (key == OPT_WRAP)
		*(uint32_t *)ctx |= EDUDMA_FACTORIAL_WRAP;
	return -1;
}

static int cmd_factorial(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "wrap", OPT_WRAP, NULL, "allow N > 12: the device's result mod 2^32" },
		{ NULL, 0, NULL, NULL },
	};
	uint32_t n = 0, flags = 0, result;
	struct json_object *doc;
	struct edudma *e;
	int ret, pos;

	ret = cli_parse(argc, argv, "N [--wrap]", opts, set_flag, &flags, &pos);
	if (ret >= 0)
		return ret;
	if (argc - pos != 1)
		return cli_usage_error("takes one number N");
	ret = parse_u32("N", argv[pos], &n);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	ret = edudma_run_factorial(e, n, flags, &result);
	edudma_close(e);
	if (ret == -EOVERFLOW) {
		fprintf(stderr, "edudma factorial: %u! does not fit in 32 bits (--wrap: the "
			"device's result mod 2^32)\n", n);
		return cli_fail("factorial", ret, NULL);
	}
	if (ret)
		return cli_fail("factorial", ret, NULL);
	doc = json_object_new_object();
	cli_json_add(doc, "n", json_object_new_int64(n));
	cli_json_add(doc, "wrap", json_object_new_boolean(flags != 0));
	cli_json_add(doc, "result", json_object_new_int64(result));
	if (!cli.json)
		printf("%u! = %u%s\n", n, result, n > EDUDMA_FACTORIAL_MAX_EXACT ? " (mod 2^32)" : "");
	return cli_emit(doc, EXIT_OK);
}

static int cmd_liveness(int argc, char **argv)
{
	uint32_t v = 0x12345678, r;
	struct json_object *doc;
	struct edudma *e;
	int ret, pos;

	ret = cli_parse(argc, argv, "[VALUE]", NULL, NULL, NULL, &pos);
	if (ret >= 0)
		return ret;
	if (argc - pos > 1)
		return cli_usage_error("takes at most one value");
	if (argc - pos == 1) {
		ret = parse_u32("VALUE", argv[pos], &v);
		if (ret >= 0)
			return ret;
	}
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	ret = edudma_run_liveness(e, v, &r);
	edudma_close(e);
	if (ret)
		return cli_fail("liveness", ret, NULL);
	doc = json_object_new_object();
	cli_json_add(doc, "value", json_object_new_int64(v));
	cli_json_add(doc, "result", json_object_new_int64(r));
	cli_json_add(doc, "alive", json_object_new_boolean(r == ~v));
	if (!cli.json)
		printf("wrote 0x%08x, read 0x%08x: %s\n", v, r, r == ~v ? "alive" : "NOT ALIVE");
	return cli_emit(doc, r == ~v ? EXIT_OK : EXIT_FAIL);
}

static int cmd_selftest(int argc, char **argv)
{
	struct edudma_selftest st;
	struct json_object *doc;
	struct edudma *e;
	int ret;

	ret = parse_noargs(argc, argv);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	ret = edudma_run_selftest(e, &st);
	edudma_close(e);
	if (ret)
		return cli_fail("selftest", ret, NULL);
	doc = json_object_new_object();
	cli_json_add(doc, "bytes", json_object_new_int64(st.bytes));
	cli_json_add(doc, "to_device_ns", cli_json_u64(st.to_device_ns));
	cli_json_add(doc, "from_device_ns", cli_json_u64(st.from_device_ns));
	cli_json_add(doc, "ok", json_object_new_boolean(1));
	if (!cli.json)
		printf("selftest: %u bytes to the device in %.1f ms, back in %.1f ms, data match\n",
		       st.bytes, st.to_device_ns / 1e6, st.from_device_ns / 1e6);
	return cli_emit(doc, EXIT_OK);
}

static int cmd_stats(int argc, char **argv)
{
	static const char *const kinds[EDUDMA_STATS_KINDS] = { "all", "coherent", "pages",
								 "vmalloc" };
	struct json_object *doc, *bufs, *bytes;
	struct edudma_stats s;
	struct edudma *e;
	int ret;

	ret = parse_noargs(argc, argv);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	ret = edudma_get_stats(e, &s, sizeof(s));
	edudma_close(e);
	if (ret)
		return cli_fail("stats", ret, NULL);
	doc = json_object_new_object();
	bufs = json_object_new_object();
	bytes = json_object_new_object();
	for (int k = 0; k < EDUDMA_STATS_KINDS; k++) {
		cli_json_add(bufs, kinds[k], cli_json_u64(s.buffers[k]));
		cli_json_add(bytes, kinds[k], cli_json_u64(s.bytes[k]));
	}
	cli_json_add(doc, "buffers", bufs);
	cli_json_add(doc, "bytes", bytes);
#define STAT(f) cli_json_add(doc, #f, cli_json_u64(s.f))
	STAT(peak_bytes); STAT(bounce_bytes); STAT(allocs); STAT(alloc_failures);
	STAT(map_failures); STAT(xfers); STAT(xfer_bytes); STAT(dma_commands); STAT(busy_ns);
	STAT(chain_ns); STAT(chained); STAT(xfer_errors); STAT(timeouts); STAT(scrubs);
	STAT(bounce_copies);
#undef STAT
	if (!cli.json) {
		json_object_object_foreach(doc, key, val) {
			if (json_object_is_type(val, json_type_object))
				continue;
			printf("%-15s %s\n", key, json_object_get_string(val));
		}
		for (int k = 0; k < EDUDMA_STATS_KINDS; k++)
			printf("%-15s %" PRIu64 " buffers, %" PRIu64 " bytes\n", kinds[k],
			       (uint64_t)s.buffers[k], (uint64_t)s.bytes[k]);
	}
	return cli_emit(doc, EXIT_OK);
}

/* ---- top ---------------------------------------------------------------------- */

enum { OPT_INTERVAL = 'i', OPT_COUNT = 'n' };

struct top_opts {
	double interval;
	long count;
};

static int set_top_opt(int key, const char *arg, void *ctx)
{
	struct top_opts *o = ctx;
	char *end;

	errno = 0;
	if (key == OPT_INTERVAL) {
		o->interval = strtod(arg, &end);
		if (errno || *end || !(o->interval >= 0.05 && o->interval <= 3600))
			return cli_usage_error("--interval: seconds from 0.05 to 3600, not '%s'", arg);
		return -1;
	}
	if (key == OPT_COUNT) {
		o->count = strtol(arg, &end, 10);
		if (errno || *end || o->count < 1)
			return cli_usage_error("--count: a number above 0, not '%s'", arg);
		return -1;
	}
	return EXIT_USAGE;
}

struct top_dev {
	char node[64];
	struct edudma *e;
	struct edudma_stats s;
};

/* one device's line (or JSON object) from two samples @dt seconds apart */
static struct json_object *top_row(const struct top_dev *d, const struct edudma_stats *s0,
				   double dt, bool tty)
{
	const struct edudma_stats *s = &d->s;
	double xps = (s->xfers - s0->xfers) / dt, bps = (s->xfer_bytes - s0->xfer_bytes) / dt;
	double cps = (s->dma_commands - s0->dma_commands) / dt;
	double busy = (s->busy_ns - s0->busy_ns) / (dt * 1e9);
	struct json_object *o = json_object_new_object();

	cli_json_add(o, "node", json_object_new_string(d->node));
	cli_json_add(o, "buffers", cli_json_u64(s->buffers[0]));
	cli_json_add(o, "bytes", cli_json_u64(s->bytes[0]));
	cli_json_add(o, "xfers_per_s", cli_json_double(xps));
	cli_json_add(o, "bytes_per_s", cli_json_double(bps));
	cli_json_add(o, "commands_per_s", cli_json_double(cps));
	cli_json_add(o, "busy", cli_json_double(busy > 1 ? 1 : busy));
	cli_json_add(o, "xfer_errors", cli_json_u64(s->xfer_errors));
	cli_json_add(o, "timeouts", cli_json_u64(s->timeouts));
	cli_json_add(o, "scrubs", cli_json_u64(s->scrubs));
	cli_json_add(o, "bounce_bytes", cli_json_u64(s->bounce_bytes));
	if (!cli.json)
		printf("%-14s %7" PRIu64 " %12" PRIu64 " %8.2f %10.1f %8.2f %6.1f%% %7" PRIu64
		       " %7" PRIu64 " %7" PRIu64 "%s", d->node, (uint64_t)s->buffers[0],
		       (uint64_t)s->bytes[0], xps, bps, cps, 100 * (busy > 1 ? 1 : busy),
		       (uint64_t)s->xfer_errors, (uint64_t)s->timeouts, (uint64_t)s->scrubs,
		       tty ? "\033[K\n" : "\n");
	return o;
}

/*
 * top: every bound device's counters (or -d's device only), as rates over
 * each interval; redrawn in place on a terminal, a block (or with --json a
 * JSON line) per interval otherwise.
 */
static int cmd_top(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "interval", OPT_INTERVAL, "SECONDS", "between refreshes (default 1)" },
		{ "count", OPT_COUNT, "N", "stop after N refreshes (default: until interrupted)" },
		{ NULL, 0, NULL, NULL },
	};
	struct top_opts o = { .interval = 1 };
	bool tty = isatty(STDOUT_FILENO) && !cli.json, one;
	struct edudma_device **list = NULL;
	struct top_dev *devs = NULL;
	size_t n = 0, m = 0;
	int ret, pos;

	ret = cli_parse(argc, argv, "[--interval SECONDS] [--count N]", opts, set_top_opt, &o,
			&pos);
	if (ret >= 0)
		return ret;
	if (pos != argc)
		return cli_usage_error("unexpected argument '%s'", argv[pos]);
	one = cli.device_set;
	ret = edudma_list(&list, &n);
	if (ret)
		return cli_fail("list devices", ret, NULL);
	devs = calloc(n + 1, sizeof(*devs));
	if (!devs) {
		edudma_list_free(list);
		return cli_fail("top", -ENOMEM, NULL);
	}
	if (one) {
		struct edudma_info in;
		struct edudma *e;

		/* -d's device, under the node name sysfs gives it */
		ret = cli_open(cli.device, &e);
		if (ret) {
			edudma_list_free(list);
			free(devs);
			return ret;
		}
		ret = edudma_get_info(e, &in);
		edudma_close(e);
		for (size_t i = 0; !ret && i < n; i++)
			if (edudma_device_minor(list[i]) == (int)in.minor)
				snprintf(devs[m++].node, sizeof(devs[0].node), "%s",
					 edudma_device_node(list[i]));
		ret = 0;
	} else {
		for (size_t i = 0; i < n; i++)
			if (edudma_device_minor(list[i]) >= 0)
				snprintf(devs[m++].node, sizeof(devs[0].node), "%s",
					 edudma_device_node(list[i]));
	}
	edudma_list_free(list);
	if (!m) {
		free(devs);
		return cli_fail("no device bound to edudma", -ENODEV, NULL);
	}
	for (size_t i = 0; i < m && !ret; i++) {
		ret = cli_open(devs[i].node, &devs[i].e);
		if (!ret)
			ret = edudma_get_stats(devs[i].e, &devs[i].s, sizeof(devs[i].s));
		else
			ret = -ENODEV;	/* cli_open() said why */
	}
	for (long round = 0; !ret && (!o.count || round < o.count); round++) {
		struct json_object *doc = json_object_new_object(), *arr = json_object_new_array();
		uint64_t t0 = cli_now_ns();
		struct timespec ts = { (time_t)o.interval,
				       (long)((o.interval - (time_t)o.interval) * 1e9) };
		double dt;

		nanosleep(&ts, NULL);
		dt = (cli_now_ns() - t0) / 1e9;
		if (tty)
			printf("\033[H\033[2J");
		if (!cli.json)
			printf("edudma top: every %.2f s%s\n%-14s %7s %12s %8s %10s %8s %7s %7s %7s "
			       "%7s%s\n", o.interval, tty ? " (ctrl-c to stop)" : "", "device",
			       "buffers", "bytes", "xfers/s", "B/s", "cmds/s", "busy", "errors",
			       "timeouts", "scrubs", tty ? "\033[K" : "");
		for (size_t i = 0; i < m && !ret; i++) {
			struct edudma_stats s0 = devs[i].s;

			ret = edudma_get_stats(devs[i].e, &devs[i].s, sizeof(devs[i].s));
			if (!ret)
				json_object_array_add(arr, top_row(&devs[i], &s0, dt, tty));
		}
		cli_json_add(doc, "interval_s", cli_json_double(dt));
		cli_json_add(doc, "devices", arr);
		if (cli.json && !ret)
			printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
		json_object_put(doc);
		fflush(stdout);
	}
	for (size_t i = 0; i < m; i++)
		edudma_close(devs[i].e);
	free(devs);
	if (ret && ret != -ENODEV)
		return cli_fail("stats", ret, NULL);
	return ret ? EXIT_FAIL : EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	struct json_object *doc;
	int ret;

	ret = parse_noargs(argc, argv);
	if (ret >= 0)
		return ret;
	doc = json_object_new_object();
	cli_json_add(doc, "library", json_object_new_string(edudma_version()));
	cli_json_add(doc, "uapi", json_object_new_int(EDUDMA_API_VERSION));
	if (!cli.json)
		printf("edudma %s (library %s, uapi %d)\n", EDUDMA_CLI_VERSION, edudma_version(),
		       EDUDMA_API_VERSION);
	return cli_emit(doc, EXIT_OK);
}

/* ---- main ------------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "the edu devices and what edudma reports for each" },
	{ "factorial", cmd_factorial, "N! computed by the device" },
	{ "liveness", cmd_liveness, "write a value, expect its complement back" },
	{ "selftest", cmd_selftest, "one DMA round trip through the device, data compared" },
	{ "stats", cmd_stats, "the device's counters" },
	{ "top", cmd_top, "live counters of every device, refreshed in place" },
	{ "alloc", cmd_alloc, "allocate and map a DMA buffer, check and time it" },
	{ "copy", cmd_copy, "COPY a buffer through the device into another" },
	{ "share", cmd_share, "a buffer exported as a dma-buf, imported by a device, copied" },
	{ "bench", cmd_bench, "throughput against the device's limit, per kind and size" },
	{ "version", cmd_version, "the tool's, library's and uapi's versions" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: edudma [-d DEV] [-j] [-q] COMMAND [OPTIONS] [ARGS]\n"
		"       edudma COMMAND --help | --help | --version\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "options (before or after the command):\n");
	print_opts(f, common_opts);
	fprintf(f, "  -V, --version            the version\n"
		"exit status: 0 done (data verified where asked), 1 failed or data differ,\n"
		"2 bad command line. The device moves one window (about 4 KiB) per 100 ms.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	cli.command = "";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:jqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cli.device = optarg;
			cli.device_set = true;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'q':
			cli.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("edudma %s\n", EDUDMA_CLI_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr, "edudma: unknown option or missing argument: %s\n",
				argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		cli.command = commands[i].name;
		return commands[i].run(argc - optind, argv + optind);
	}
	fprintf(stderr, "edudma: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
