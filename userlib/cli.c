// SPDX-License-Identifier: LGPL-2.1-or-later
/* edudma: command-line tool for edudma devices, built on libedudma. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const char *opt_device = "0";
bool opt_json;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edudma [-d DEV] [--json] COMMAND [ARGS]\n"
		"  info                 list edu devices and what edudma reports for each\n"
		"  factorial N [--wrap] n! computed by the device (--wrap: allow n > 12,\n"
		"                       result mod 2^32)\n"
		"  liveness [VALUE]     write VALUE (default 0x12345678), expect ~VALUE back\n"
		"  selftest             one DMA round trip through the device, data compared\n"
		"  alloc --size SIZE [--kind auto|coherent|pages|vmalloc] [--verify]\n"
		"                       allocate and map a DMA buffer, check it reads zero,\n"
		"                       write a pattern, sync, read it back (SIZE: 4096, 64K, 1M, 1G)\n"
		"  copy --size SIZE [--kind K] [--verify]\n"
		"                       COPY a buffer through the device into another, compared\n"
		"  share --size SIZE [--to DEV] [--kind pages|vmalloc] [--verify]\n"
		"                       export a buffer of DEV as a dma-buf, import it into the\n"
		"                       --to device, which COPYs it into its own buffer, compared\n"
		"  bench [--quick]      throughput of every direction and kind against the\n"
		"                       device's limit (its window per 100 ms), on every device\n"
		"  version              library version\n"
		"options:\n"
		"  -d, --device DEV     /dev/edudmaN, N or a PCI address (default 0)\n"
		"  -j, --json           JSON output\n");
}

int fail(const char *what, int err)
{
	fprintf(stderr, "edudma: %s: %s\n", what, strerror(-err));
	return 1;
}

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

int open_device(struct edudma **e)
{
	int ret = edudma_open(opt_device, e);

	if (ret) {
		fprintf(stderr, "edudma: cannot open device '%s': %s\n", opt_device, strerror(-ret));
		if (ret == -ENOENT)
			fprintf(stderr, "edudma: is edudma.ko loaded? (edudma info lists edu devices)\n");
	}
	return ret;
}

static void print_info_human(const struct edudma_pci *p, const struct edudma_info *in, int err)
{
	printf("%04x:%02x:%02x.%u  edu %04x:%04x rev 0x%02x  BAR0 %" PRIu64 " KiB  IRQ %d\n",
	       p->domain, p->bus, p->dev, p->func, p->vendor_id, p->device_id, p->revision,
	       p->bar0_size >> 10, p->irq);
	if (p->minor < 0) {
		printf("  not bound to edudma (driver: %s)\n", p->driver[0] ? p->driver : "none");
		return;
	}
	if (err) {
		printf("  %s: %s\n", p->devnode, strerror(-err));
		return;
	}
	printf("  device      %s\n", p->devnode);
	printf("  ident       0x%08x (edu %u.%u)\n", in->ident, in->ident >> 24,
	       (in->ident >> 16) & 0xff);
	printf("  api         %u\n", in->api_version);
	printf("  irq mode    %s\n", irq_mode_name(in->irq_mode));
	printf("  dma mask    %u bits\n", in->dma_mask_bits);
	printf("  window      %u bytes at device address 0x%" PRIx64 "\n", in->window_size,
	       (uint64_t)in->window_addr);
	printf("  caps        0x%" PRIx64 "%s%s%s%s%s%s%s\n", (uint64_t)in->caps,
	       in->caps & EDUDMA_CAP_FACTORIAL ? " factorial" : "",
	       in->caps & EDUDMA_CAP_LIVENESS ? " liveness" : "",
	       in->caps & EDUDMA_CAP_SELFTEST ? " selftest" : "",
	       in->caps & EDUDMA_CAP_BUFFERS ? " buffers" : "",
	       in->caps & EDUDMA_CAP_STATS ? " stats" : "",
	       in->caps & EDUDMA_CAP_XFER ? " xfer" : "",
	       in->caps & EDUDMA_CAP_DMABUF ? " dmabuf" : "");
}

static void print_info_json(const struct edudma_pci *p, const struct edudma_info *in, int err,
			    bool first)
{
	printf("%s\n    {\"bdf\": \"%04x:%02x:%02x.%u\", \"vendor_id\": %u, \"device_id\": %u, "
	       "\"revision\": %u, \"bar0_size\": %" PRIu64 ", \"irq\": %d, \"driver\": \"%s\", "
	       "\"devnode\": ",
	       first ? "" : ",", p->domain, p->bus, p->dev, p->func, p->vendor_id, p->device_id,
	       p->revision, p->bar0_size, p->irq, p->driver);
	if (p->minor < 0 || err) {
		printf("%s%s%s, \"info\": null}", p->minor < 0 ? "" : "\"",
		       p->minor < 0 ? "null" : p->devnode, p->minor < 0 ? "" : "\"");
		return;
	}
	printf("\"%s\", \"info\": {\"api_version\": %u, \"ident\": %u, \"caps\": %" PRIu64
	       ", \"irq_mode\": \"%s\", \"dma_mask_bits\": %u, \"window_addr\": %" PRIu64
	       ", \"window_size\": %u, \"minor\": %u}}",
	       p->devnode, in->api_version, in->ident, (uint64_t)in->caps,
	       irq_mode_name(in->irq_mode), in->dma_mask_bits, (uint64_t)in->window_addr,
	       in->window_size, in->minor);
}

static int cmd_info(void)
{
	struct edudma_pci *list;
	size_t n, i;
	int ret;

	ret = edudma_list(&list, &n);
	if (ret)
		return fail("listing PCI devices", ret);
	if (opt_json)
		printf("{\"library\": \"%s\", \"devices\": [", edudma_version());
	else if (!n)
		printf("no edu device (1234:11e8) found\n");
	for (i = 0; i < n; i++) {
		struct edudma_info info = { 0 };
		struct edudma *e = NULL;
		int err = 0;

		if (list[i].minor >= 0) {
			err = edudma_open(list[i].devnode, &e);
			if (!err)
				err = edudma_get_info(e, &info);
			edudma_close(e);
		}
		if (opt_json)
			print_info_json(&list[i], &info, err, i == 0);
		else
			print_info_human(&list[i], &info, err);
	}
	if (opt_json)
		printf("\n]}\n");
	edudma_list_free(list);
	return n ? 0 : 1;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (edudma_parse_size(s, &v) || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int cmd_factorial(int argc, char **argv)
{
	uint32_t n, flags = 0, result;
	struct edudma *e;
	int i, ret;
	const char *arg = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wrap"))
			flags |= EDUDMA_FACTORIAL_WRAP;
		else if (!arg)
			arg = argv[i];
		else
			arg = "";
	}
	if (!arg || parse_u32(arg, &n)) {
		fprintf(stderr, "edudma: factorial takes one number\n");
		return 2;
	}
	if (open_device(&e))
		return 1;
	ret = edudma_factorial(e, n, flags, &result);
	edudma_close(e);
	if (ret == -EOVERFLOW) {
		fprintf(stderr, "edudma: %u! does not fit in 32 bits (--wrap for the device's "
			"result mod 2^32)\n", n);
		return 1;
	}
	if (ret)
		return fail("factorial", ret);
	if (opt_json)
		printf("{\"n\": %u, \"wrap\": %s, \"result\": %u}\n", n,
		       flags ? "true" : "false", result);
	else
		printf("%u! = %u%s\n", n, result, n > EDUDMA_FACTORIAL_MAX_EXACT ? " (mod 2^32)" : "");
	return 0;
}

static int cmd_liveness(int argc, char **argv)
{
	uint32_t v = 0x12345678, r;
	struct edudma *e;
	int ret;

	if (argc > 2 || (argc == 2 && parse_u32(argv[1], &v))) {
		fprintf(stderr, "edudma: liveness takes one 32-bit value\n");
		return 2;
	}
	if (open_device(&e))
		return 1;
	ret = edudma_liveness(e, v, &r);
	edudma_close(e);
	if (ret)
		return fail("liveness", ret);
	if (opt_json)
		printf("{\"value\": %u, \"result\": %u, \"alive\": %s}\n", v, r,
		       r == ~v ? "true" : "false");
	else
		printf("wrote 0x%08x, read 0x%08x: %s\n", v, r, r == ~v ? "alive" : "NOT ALIVE");
	return r == ~v ? 0 : 1;
}

static int cmd_selftest(void)
{
	struct edudma_selftest st;
	struct edudma *e;
	int ret;

	if (open_device(&e))
		return 1;
	ret = edudma_selftest(e, &st);
	edudma_close(e);
	if (ret)
		return fail("selftest", ret);
	if (opt_json)
		printf("{\"bytes\": %u, \"to_device_ns\": %" PRIu64 ", \"from_device_ns\": %" PRIu64
		       ", \"ok\": true}\n", st.bytes, (uint64_t)st.to_device_ns,
		       (uint64_t)st.from_device_ns);
	else
		printf("selftest: %u bytes to the device in %.1f ms, back in %.1f ms, data match\n",
		       st.bytes, st.to_device_ns / 1e6, st.from_device_ns / 1e6);
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int parse_opts(int argc, char **argv, struct xfer_opts *o, bool need_size)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "verify", no_argument, NULL, 'v' },
		{ "quick", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:k:vqj", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (edudma_parse_size(optarg, &o->size) || !o->size) {
				fprintf(stderr, "edudma: bad size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'k':
			if (edudma_parse_kind(optarg, &o->kind)) {
				fprintf(stderr, "edudma: bad kind '%s'\n", optarg);
				return 2;
			}
			break;
		case 'v':
			o->verify = true;
			break;
		case 'q':
			o->quick = true;
			break;
		case 'j':
			opt_json = true;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc || (need_size && !o->size)) {
		fprintf(stderr, "edudma: %s needs --size SIZE\n", argv[0]);
		return 2;
	}
	return 0;
}

static uint64_t pattern(uint64_t i)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ (i >> 7) ^ 0x5a5a5a5a5a5a5a5aULL;
}

/* returns the byte offset of the first mismatch, or size */
static uint64_t check_words(const uint64_t *p, uint64_t size, bool zero)
{
	for (uint64_t i = 0; i < size / 8; i++)
		if (p[i] != (zero ? 0 : pattern(i)))
			return i * 8;
	return size;
}

static int cmd_alloc(int argc, char **argv)
{
	struct xfer_opts o = { .kind = EDUDMA_BUF_AUTO };
	uint64_t size, t0, t_alloc, t_mmap, t_zero = 0, t_write = 0, t_verify = 0, bad;
	struct edudma_buf_info info;
	struct edudma_buf *b = NULL;
	struct edudma *e = NULL;
	bool verify, ok = true;
	uint64_t *p;
	void *map;
	int ret;

	ret = parse_opts(argc, argv, &o, true);
	if (ret)
		return ret;
	size = o.size;
	verify = o.verify;
	if (open_device(&e))
		return 1;
	t0 = now_ns();
	ret = edudma_buf_alloc(e, size, o.kind, &b);
	t_alloc = now_ns() - t0;
	if (ret) {
		edudma_close(e);
		return fail("alloc", ret);
	}
	t0 = now_ns();
	ret = edudma_buf_mmap(b, &map);
	t_mmap = now_ns() - t0;
	if (!ret)
		ret = edudma_buf_get_info(b, &info);
	if (ret)
		goto out;
	p = map;
	size = edudma_buf_size(b);
	if (verify) {
		t0 = now_ns();
		bad = check_words(p, size, true);
		t_zero = now_ns() - t0;
		if (bad != size) {
			fprintf(stderr, "edudma: byte %" PRIu64 " not zero on first read\n", bad);
			ok = false;
		}
		t0 = now_ns();
		for (uint64_t i = 0; i < size / 8; i++)
			p[i] = pattern(i);
		ret = edudma_buf_sync(b, 0, size, EDUDMA_DIR_TO_DEVICE, EDUDMA_SYNC_END);
		t_write = now_ns() - t0;
		t0 = now_ns();
		if (!ret)
			ret = edudma_buf_sync(b, 0, size, EDUDMA_DIR_FROM_DEVICE, EDUDMA_SYNC_START);
		bad = check_words(p, size, false);
		t_verify = now_ns() - t0;
		if (bad != size) {
			fprintf(stderr, "edudma: pattern differs at byte %" PRIu64 "\n", bad);
			ok = false;
		}
		if (ret)
			goto out;
	}
	if (opt_json)
		printf("{\"kind\": \"%s\", \"size\": %" PRIu64 ", \"segments\": %u, "
		       "\"bounce_bytes\": %" PRIu64 ", \"alloc_ns\": %" PRIu64 ", \"mmap_ns\": %"
		       PRIu64 ", \"verified\": %s, \"zero_check_ns\": %" PRIu64
		       ", \"write_ns\": %" PRIu64 ", \"verify_ns\": %" PRIu64 ", \"ok\": %s}\n",
		       edudma_kind_name(info.kind), size, info.nr_segments,
		       (uint64_t)info.bounce_bytes, t_alloc, t_mmap, verify ? "true" : "false",
		       t_zero, t_write, t_verify, ok ? "true" : "false");
	else
		printf("%s buffer of %" PRIu64 " bytes: %u DMA segment%s, %" PRIu64
		       " bytes bounced; alloc %.3f ms, mmap %.3f ms%s\n",
		       edudma_kind_name(info.kind), size, info.nr_segments,
		       info.nr_segments == 1 ? "" : "s", (uint64_t)info.bounce_bytes, t_alloc / 1e6,
		       t_mmap / 1e6, verify ? "" : " (not verified)");
	if (verify && !opt_json)
		printf("verify: zero check %.3f ms, write+sync %.3f ms, sync+read back %.3f ms: %s\n",
		       t_zero / 1e6, t_write / 1e6, t_verify / 1e6, ok ? "ok" : "MISMATCH");
out:
	edudma_buf_free(b);
	edudma_close(e);
	if (ret)
		return fail("alloc", ret);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			opt_device = optarg;
			break;
		case 'j':
			opt_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	argc -= optind;
	argv += optind;
	/* options may also follow the command */
	for (c = 1; c < argc; c++) {
		if (!strcmp(argv[c], "--json") || !strcmp(argv[c], "-j")) {
			opt_json = true;
			memmove(&argv[c], &argv[c + 1], (argc - c) * sizeof(*argv));
			argc--;
			c--;
		}
	}
	cmd = argv[0];
	if (!strcmp(cmd, "info"))
		return cmd_info();
	if (!strcmp(cmd, "factorial"))
		return cmd_factorial(argc, argv);
	if (!strcmp(cmd, "liveness"))
		return cmd_liveness(argc, argv);
	if (!strcmp(cmd, "selftest"))
		return cmd_selftest();
	if (!strcmp(cmd, "alloc"))
		return cmd_alloc(argc, argv);
	if (!strcmp(cmd, "copy"))
		return cmd_copy(argc, argv);
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc, argv);
	if (!strcmp(cmd, "share"))
		return cmd_share(argc, argv);
	if (!strcmp(cmd, "version")) {
		printf("edudma %s (uapi %d)\n", edudma_version(), EDUDMA_API_VERSION);
		return 0;
	}
	fprintf(stderr, "edudma: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
