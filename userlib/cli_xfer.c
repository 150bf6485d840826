// SPDX-License-Identifier: LGPL-2.1-or-later
/* edudma CLI: copy and bench, the transfer engine seen from userspace. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * The edu device: one command takes 100 ms and moves at most the window
 * the device reports (4095 bytes, or 4096 with full_window on QEMU 10).
 */
#define CMD_NS		100000000ULL
static uint64_t window = 4095;
#define LIMIT_BPS	(window * 1e9 / CMD_NS)

/* open the device and take its window size from GET_INFO */
static int open_xfer_device(struct edudma **e)
{
	struct edudma_info in;

	if (open_device(e))
		return -1;
	if (!edudma_get_info(*e, &in) && in.window_size)
		window = in.window_size;
	return 0;
}

static const char *const op_names[] = { "", "to_device", "from_device", "copy" };

static uint64_t min_commands(uint32_t op, uint64_t len)
{
	uint64_t n = (len + window - 1) / window;

	return op == EDUDMA_XFER_COPY ? 2 * n : n;
}

static void fill(uint8_t *p, uint64_t len, uint64_t seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)((i + seed) * 131 + (i >> 12));
}

/* two mapped buffers of one kind, src filled with a pattern */
struct pair {
	struct edudma_buf *src, *dst;
	uint8_t *s, *d;
};

static int pair_alloc(struct edudma *e, uint64_t size, uint32_t kind, struct pair *p)
{
	int ret;

	memset(p, 0, sizeof(*p));
	ret = edudma_buf_alloc(e, size, kind, &p->src);
	if (!ret)
		ret = edudma_buf_alloc(e, size, kind, &p->dst);
	if (!ret)
		ret = edudma_buf_mmap(p->src, (void **)&p->s);
	if (!ret)
		ret = edudma_buf_mmap(p->dst, (void **)&p->d);
	if (!ret) {
		fill(p->s, size, size);
		ret = edudma_buf_sync(p->src, 0, edudma_buf_size(p->src), EDUDMA_DIR_TO_DEVICE,
				      EDUDMA_SYNC_END);
	}
	return ret;
}

static void pair_free(struct pair *p)
{
	edudma_buf_free(p->src);
	edudma_buf_free(p->dst);
}

int cmd_copy(int argc, char **argv)
{
	struct xfer_opts o = { .kind = EDUDMA_BUF_AUTO };
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY };
	struct edudma *e;
	struct pair p;
	bool ok = true;
	uint64_t mins;
	double ratio;
	int ret;

	ret = parse_opts(argc, argv, &o, true);
	if (ret)
		return ret;
	if (open_xfer_device(&e))
		return 1;
	ret = pair_alloc(e, o.size, o.kind, &p);
	if (ret)
		goto out;
	x.src_handle = edudma_buf_handle(p.src);
	x.dst_handle = edudma_buf_handle(p.dst);
	x.length = o.size;
	ret = edudma_xfer(e, &x);
	if (ret)
		goto out;
	if (o.verify) {
		ret = edudma_buf_sync(p.dst, 0, edudma_buf_size(p.dst), EDUDMA_DIR_FROM_DEVICE,
				      EDUDMA_SYNC_START);
		if (ret)
			goto out;
		ok = !memcmp(p.s, p.d, o.size);
	}
	mins = min_commands(EDUDMA_XFER_COPY, o.size);
	ratio = (double)x.device_ns / (mins * CMD_NS);
	if (opt_json)
		printf("{\"kind\": \"%s\", \"size\": %" PRIu64 ", \"commands\": %" PRIu64
		       ", \"min_commands\": %" PRIu64 ", \"device_ns\": %" PRIu64
		       ", \"time_vs_min\": %.5f, \"verified\": %s, \"ok\": %s}\n",
		       edudma_kind_name(edudma_buf_kind(p.src)), o.size, (uint64_t)x.commands, mins,
		       (uint64_t)x.device_ns, ratio, o.verify ? "true" : "false",
		       ok ? "true" : "false");
	else
		printf("copied %" PRIu64 " bytes between %s buffers: %" PRIu64
		       " DMA commands (minimum %" PRIu64 "), %.3f s of device time (%.5f x the minimum)%s\n",
		       o.size, edudma_kind_name(edudma_buf_kind(p.src)), (uint64_t)x.commands, mins,
		       x.device_ns / 1e9, ratio,
		       o.verify ? (ok ? ", data match" : ", DATA DIFFER") : "");
out:
	pair_free(&p);
	edudma_close(e);
	if (ret)
		return fail("copy", ret);
	return ok ? 0 : 1;
}

/*
 * share: a buffer of -d DEV, exported as a dma-buf, imported by --to DEV
 * (default: the same device), copied by that device into a buffer of its
 * own, compared.
 */
int cmd_share(int argc, char **argv)
{
	struct xfer_opts o = { .kind = EDUDMA_BUF_PAGES };
	struct edudma_buf *src = NULL, *imp = NULL, *dst = NULL;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY };
	struct edudma *e = NULL, *f = NULL;
	const char *to = opt_device, *what = "alloc";
	uint8_t *s, *d;
	int ret, dfd = -1, i;
	bool ok = true;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--to") && i + 1 < argc) {
			to = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], (argc - i - 1) * sizeof(*argv));
			argc -= 2;
			i--;
		}
	}
	ret = parse_opts(argc, argv, &o, true);
	if (ret)
		return ret;
	if (open_xfer_device(&e))
		return 1;
	ret = edudma_open(to, &f);
	if (ret) {
		fprintf(stderr, "edudma: cannot open device '%s': %s\n", to, strerror(-ret));
		edudma_close(e);
		return 1;
	}
	ret = edudma_buf_alloc(e, o.size, o.kind, &src);
	if (!ret)
		ret = edudma_buf_mmap(src, (void **)&s);
	if (ret)
		goto out;
	fill(s, o.size, 7);
	ret = edudma_buf_sync(src, 0, edudma_buf_size(src), EDUDMA_DIR_TO_DEVICE, EDUDMA_SYNC_END);
	what = "export";
	if (!ret)
		ret = edudma_buf_export(src, &dfd);
	if (ret)
		goto out;
	what = "import";
	ret = edudma_buf_import(f, dfd, &imp);
	close(dfd);
	if (ret)
		goto out;
	what = "alloc";
	ret = edudma_buf_alloc(f, o.size, EDUDMA_BUF_PAGES, &dst);
	if (!ret)
		ret = edudma_buf_mmap(dst, (void **)&d);
	if (ret)
		goto out;
	x.src_handle = edudma_buf_handle(imp);
	x.dst_handle = edudma_buf_handle(dst);
	x.length = o.size;
	what = "copy";
	ret = edudma_xfer(f, &x);
	if (ret)
		goto out;
	if (o.verify) {
		ret = edudma_buf_sync(dst, 0, edudma_buf_size(dst), EDUDMA_DIR_FROM_DEVICE,
				      EDUDMA_SYNC_START);
		if (ret)
			goto out;
		ok = !memcmp(s, d, o.size);
	}
	if (opt_json)
		printf("{\"kind\": \"%s\", \"size\": %" PRIu64 ", \"import_segments\": %u"
		       ", \"commands\": %" PRIu64 ", \"device_ns\": %" PRIu64
		       ", \"verified\": %s, \"ok\": %s}\n",
		       edudma_kind_name(edudma_buf_kind(src)), o.size, edudma_buf_segments(imp),
		       (uint64_t)x.commands, (uint64_t)x.device_ns, o.verify ? "true" : "false",
		       ok ? "true" : "false");
	else
		printf("exported a %s buffer of %" PRIu64 " bytes as a dma-buf; the importing device "
		       "mapped it in %u DMA segments and copied it into its own buffer: %" PRIu64
		       " DMA commands, %.3f s of device time%s\n",
		       edudma_kind_name(edudma_buf_kind(src)), o.size, edudma_buf_segments(imp),
		       (uint64_t)x.commands, x.device_ns / 1e9,
		       o.verify ? (ok ? ", data match" : ", DATA DIFFER") : "");
	ret = 0;
out:
	edudma_buf_free(dst);
	edudma_buf_free(imp);
	edudma_buf_free(src);
	edudma_close(f);
	edudma_close(e);
	if (ret)
		return fail(what, ret);
	return ok ? 0 : 1;
}

/* all-CPU busy and total jiffies from /proc/stat */
static void cpu_times(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}

struct bench_row {
	uint32_t op, kind;
	uint64_t len, commands, min_commands, map_commands, device_ns, chained, chain_ns;
	double cpu_busy;
};

/* a buffer's segments (needs CAP_SYS_ADMIN); NULL if they cannot be had */
static struct edudma_seg *buf_segs(struct edudma_buf *b, uint32_t *n)
{
	struct edudma_seg *segs = calloc(edudma_buf_segments(b), sizeof(*segs));

	if (segs && edudma_buf_get_segments(b, segs, edudma_buf_segments(b), n)) {
		free(segs);
		segs = NULL;
	}
	return segs;
}

/* the fewest commands the buffers' mappings allow; 0 if unknown */
static uint64_t map_commands(struct pair *p, uint32_t op, uint64_t len)
{
	struct edudma_seg *s = NULL, *d = NULL;
	uint32_t ns = 0, nd = 0;
	int64_t chunks = -1;

	if (op != EDUDMA_XFER_FROM_DEVICE)
		s = buf_segs(p->src, &ns);
	if (op != EDUDMA_XFER_TO_DEVICE)
		d = buf_segs(p->dst, &nd);
	if ((op == EDUDMA_XFER_FROM_DEVICE || s) && (op == EDUDMA_XFER_TO_DEVICE || d))
		chunks = edudma_plan_chunks(s, ns, 0, d, nd, 0, len, window);
	free(s);
	free(d);
	if (chunks < 0)
		return 0;
	return op == EDUDMA_XFER_COPY ? 2 * (uint64_t)chunks : (uint64_t)chunks;
}

static int bench_one(struct edudma *e, struct pair *p, uint32_t op, uint64_t len,
		     struct bench_row *r)
{
	struct edudma_xfer x = { .op = op, .length = len };
	struct edudma_stats s0, s1;
	uint64_t b0, t0, b1, t1;
	int ret;

	if (op != EDUDMA_XFER_FROM_DEVICE)
		x.src_handle = edudma_buf_handle(p->src);
	if (op != EDUDMA_XFER_TO_DEVICE)
		x.dst_handle = edudma_buf_handle(p->dst);
	ret = edudma_get_stats(e, &s0);
	if (ret)
		return ret;
	cpu_times(&b0, &t0);
	ret = edudma_xfer(e, &x);
	cpu_times(&b1, &t1);
	if (!ret)
		ret = edudma_get_stats(e, &s1);
	if (ret)
		return ret;
	*r = (struct bench_row){
		.op = op, .kind = edudma_buf_kind(p->src), .len = len, .commands = x.commands,
		.min_commands = min_commands(op, len), .map_commands = map_commands(p, op, len),
		.device_ns = x.device_ns,
		.chained = s1.chained - s0.chained, .chain_ns = s1.chain_ns - s0.chain_ns,
		.cpu_busy = t1 > t0 ? (double)(b1 - b0) / (t1 - t0) : 0,
	};
	return 0;
}

static void bench_print(const struct bench_row *r, bool first)
{
	double min_ns = (double)r->min_commands * CMD_NS;
	double bps = r->device_ns ? r->len * 1e9 / r->device_ns : 0;
	double limit = r->op == EDUDMA_XFER_COPY ? LIMIT_BPS / 2 : LIMIT_BPS;
	double per_cmd = (double)r->len * (r->op == EDUDMA_XFER_COPY ? 2 : 1) / r->commands;
	double chain_us = r->chained ? r->chain_ns / 1e3 / r->chained : 0;

	if (opt_json) {
		printf("%s\n    {\"op\": \"%s\", \"kind\": \"%s\", \"bytes\": %" PRIu64
		       ", \"commands\": %" PRIu64 ", \"min_commands\": %" PRIu64
		       ", \"mapping_min_commands\": %" PRIu64 ", \"guest_ns\": %" PRIu64 ", \"min_ns\": %.0f, \"time_vs_min\": %.5f"
		       ", \"bytes_per_s\": %.1f, \"vs_device_limit\": %.5f"
		       ", \"payload_per_command\": %.1f, \"chain_overhead_us\": %.2f"
		       ", \"cpu_busy\": %.5f}",
		       first ? "" : ",", op_names[r->op], edudma_kind_name(r->kind), r->len,
		       r->commands, r->min_commands, r->map_commands, r->device_ns, min_ns,
		       r->device_ns / min_ns,
		       bps, bps / limit, per_cmd, chain_us, r->cpu_busy);
		return;
	}
	if (first)
		printf("%-11s %-8s %9s %5s %5s %5s %9s %9s %8s %9s %7s %8s %8s %6s\n", "op",
		       "kind", "bytes", "cmds", "min", "map", "guest s", "min s", "t/min", "B/s",
		       "/limit", "B/cmd", "chain us", "cpu %");
	printf("%-11s %-8s %9" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %9.4f %9.4f %8.5f %9.1f %7.4f %8.1f %8.2f %6.3f\n",
	       op_names[r->op], edudma_kind_name(r->kind), r->len, r->commands, r->min_commands,
	       r->map_commands,
	       r->device_ns / 1e9, min_ns / 1e9, r->device_ns / min_ns, bps, bps / limit, per_cmd,
	       chain_us, 100 * r->cpu_busy);
}

struct agg_arg {
	const char *node;
	uint64_t len;
	pthread_barrier_t *barrier;
	uint64_t end_ns;
	int ret;
};

static void *agg_worker(void *data)
{
	struct agg_arg *a = data;
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .length = a->len };
	struct edudma_buf *b = NULL;
	struct edudma *e = NULL;

	a->ret = edudma_open(a->node, &e);
	if (!a->ret)
		a->ret = edudma_buf_alloc(e, a->len, EDUDMA_BUF_PAGES, &b);
	pthread_barrier_wait(a->barrier);
	if (!a->ret) {
		x.src_handle = edudma_buf_handle(b);
		a->ret = edudma_xfer(e, &x);
	}
	a->end_ns = now_ns();
	edudma_buf_free(b);
	edudma_close(e);
	return NULL;
}

/* every bound device moving len bytes at once */
static int bench_aggregate(uint64_t len)
{
	struct edudma_pci *list;
	struct agg_arg args[16];
	pthread_t th[16];
	pthread_barrier_t barrier;
	uint64_t t0, end = 0;
	size_t n, i, m = 0;
	double bps;
	int ret;

	ret = edudma_list(&list, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && m < 16; i++)
		if (list[i].minor >= 0)
			args[m++] = (struct agg_arg){ .node = strdup(list[i].devnode), .len = len };
	edudma_list_free(list);
	pthread_barrier_init(&barrier, NULL, (unsigned int)m + 1);
	for (i = 0; i < m; i++) {
		args[i].barrier = &barrier;
		pthread_create(&th[i], NULL, agg_worker, &args[i]);
	}
	pthread_barrier_wait(&barrier);
	t0 = now_ns();
	for (i = 0; i < m; i++) {
		pthread_join(th[i], NULL);
		ret = ret ? ret : args[i].ret;
		end = args[i].end_ns > end ? args[i].end_ns : end;
		free((void *)args[i].node);
	}
	pthread_barrier_destroy(&barrier);
	if (ret)
		return ret;
	bps = (double)m * len * 1e9 / (end - t0);
	if (opt_json)
		printf(",\n  \"aggregate\": {\"devices\": %zu, \"bytes_each\": %" PRIu64
		       ", \"seconds\": %.4f, \"bytes_per_s\": %.1f, \"vs_n_limits\": %.5f}", m, len,
		       (end - t0) / 1e9, bps, bps / (m * LIMIT_BPS));
	else
		printf("\n%zu device%s at once, %" PRIu64 " bytes each to the device: %.4f s, %.1f B/s = %.4f x %zu x the device limit\n",
		       m, m == 1 ? "" : "s", len, (end - t0) / 1e9, bps, bps / (m * LIMIT_BPS), m);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	static const uint32_t kinds[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES,
					  EDUDMA_BUF_VMALLOC_SG };
	static const uint32_t ops[] = { EDUDMA_XFER_TO_DEVICE, EDUDMA_XFER_FROM_DEVICE,
					EDUDMA_XFER_COPY };
	struct xfer_opts o = { 0 };
	struct bench_row r;
	struct edudma *e;
	bool first = true;
	int ret;

	ret = parse_opts(argc, argv, &o, false);
	if (ret)
		return ret;
	if (!o.size)
		o.size = o.quick ? 64 * 1024 : 1024 * 1024;
	if (open_xfer_device(&e))
		return 1;
	if (opt_json)
		printf("{\"device\": \"%s\", \"window_bytes\": %" PRIu64 ", \"limit_bytes_per_s\": %.1f, \"rows\": [",
		       opt_device, window, LIMIT_BPS);
	else
		printf("edudma bench: device limit %.0f B/s (%" PRIu64 " bytes per 100 ms command); guest clock\n",
		       LIMIT_BPS, window);
	for (size_t k = 0; k < 3 && !ret; k++) {
		struct pair p;

		ret = pair_alloc(e, o.size, kinds[k], &p);
		/* to_device first: the window then holds this file's data, no scrub */
		for (size_t i = 0; i < 3 && !ret; i++) {
			ret = bench_one(e, &p, ops[i], o.size, &r);
			if (!ret)
				bench_print(&r, first);
			first = false;
		}
		if (!ret)
			ret = edudma_buf_sync(p.dst, 0, o.size, EDUDMA_DIR_FROM_DEVICE,
					      EDUDMA_SYNC_START);
		if (!ret && memcmp(p.s, p.d, o.size)) {
			fprintf(stderr, "edudma: bench: copy of %s buffer differs\n",
				edudma_kind_name(kinds[k]));
			ret = -EIO;
		}
		pair_free(&p);
	}
	edudma_close(e);
	if (opt_json && !ret)
		printf("\n  ]");
	if (!ret)
		ret = bench_aggregate(o.size);
	if (opt_json && !ret)
		printf("\n}\n");
	if (ret)
		return fail("bench", ret);
	return 0;
}
