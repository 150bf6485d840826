// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * edudma CLI: bench, the transfer engine against the device's own limit,
 * per kind, direction and size; the multi-device aggregate; CSV and a plot.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef EDUDMA_HAVE_LIBURING
#include <liburing.h>
#endif

#include "cli.h"
#include "util.h"

static const char *const op_names[] = { "", "to_device", "from_device", "copy" };

struct bench_row {
	uint32_t op, kind;
	uint64_t len, commands, min_commands, map_commands, device_ns, chained, chain_ns;
	double cpu_busy;
};

struct bench {
	struct cli_limit lim;
	uint32_t kinds[3];
	size_t nkinds;
	uint64_t sizes[8];
	size_t nsizes;
	bool verify, user, uring;
	const char *csv, *plot;
	struct bench_row *rows;
	size_t nrows;
	struct json_object *doc, *jrows;
};

/* all-CPU busy and total jiffies from /proc/stat */
static void cpu_times(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");

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

static uint64_t min_commands(const struct bench *b, uint32_t op, uint64_t len)
{
	uint64_t n = (len + b->lim.window - 1) / b->lim.window;

	return op == EDUDMA_XFER_COPY ? 2 * n : n;
}

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
static uint64_t map_commands(const struct bench *b, struct edudma_buf *src,
			     struct edudma_buf *dst, uint32_t op, uint64_t len)
{
	struct edudma_seg *s = NULL, *d = NULL;
	uint32_t ns = 0, nd = 0;
	int64_t chunks = -1;

	if (op != EDUDMA_XFER_FROM_DEVICE)
		s = buf_segs(src, &ns);
	if (op != EDUDMA_XFER_TO_DEVICE)
		d = buf_segs(dst, &nd);
	if ((op == EDUDMA_XFER_FROM_DEVICE || s) && (op == EDUDMA_XFER_TO_DEVICE || d))
		chunks = edudma_util_plan_chunks(s, ns, 0, d, nd, 0, len, b->lim.window);
	free(s);
	free(d);
	if (chunks < 0)
		return 0;
	return op == EDUDMA_XFER_COPY ? 2 * (uint64_t)chunks : (uint64_t)chunks;
}

static int bench_one(struct edudma *e, struct bench *b, struct edudma_buf *src,
		     struct edudma_buf *dst, uint32_t op, uint64_t len, struct bench_row *r)
{
	struct edudma_xfer x = { .op = op, .length = len };
	struct edudma_stats s0, s1;
	uint64_t b0, t0, b1, t1;
	int ret;

	if (op != EDUDMA_XFER_FROM_DEVICE)
		x.src_handle = edudma_buf_handle(src);
	if (op != EDUDMA_XFER_TO_DEVICE)
		x.dst_handle = edudma_buf_handle(dst);
	ret = edudma_get_stats(e, &s0, sizeof(s0));
	if (ret)
		return ret;
	cpu_times(&b0, &t0);
	ret = edudma_submit(e, &x);
	cpu_times(&b1, &t1);
	if (!ret)
		ret = edudma_get_stats(e, &s1, sizeof(s1));
	if (ret)
		return ret;
	*r = (struct bench_row){
		.op = op, .kind = edudma_buf_kind(src), .len = len, .commands = x.commands,
		.min_commands = min_commands(b, op, len),
		.map_commands = map_commands(b, src, dst, op, len),
		.device_ns = x.device_ns,
		.chained = s1.chained - s0.chained, .chain_ns = s1.chain_ns - s0.chain_ns,
		.cpu_busy = t1 > t0 ? (double)(b1 - b0) / (double)(t1 - t0) : 0,
	};
	return 0;
}

/* the derived figures of a row */
struct row_figures {
	double min_ns, bps, limit, vs_limit, per_cmd, chain_us, time_vs_min;
};

static struct row_figures figures(const struct bench *b, const struct bench_row *r)
{
	struct row_figures f;

	f.min_ns = (double)r->min_commands * b->lim.command_ns;
	f.bps = r->device_ns ? r->len * 1e9 / r->device_ns : 0;
	f.limit = r->op == EDUDMA_XFER_COPY ? b->lim.bytes_per_s / 2 : b->lim.bytes_per_s;
	f.vs_limit = f.bps / f.limit;
	f.per_cmd = (double)r->len * (r->op == EDUDMA_XFER_COPY ? 2 : 1) /
		    (r->commands ? r->commands : 1);
	f.chain_us = r->chained ? r->chain_ns / 1e3 / r->chained : 0;
	f.time_vs_min = r->device_ns / f.min_ns;
	return f;
}

static void row_out(struct bench *b, const struct bench_row *r)
{
	struct row_figures f = figures(b, r);
	struct json_object *o;

	if (!cli.json) {
		if (b->nrows == 1)
			printf("%-11s %-8s %9s %5s %5s %5s %9s %9s %8s %9s %7s %8s %8s %6s\n", "op",
			       "kind", "bytes", "cmds", "min", "map", "device s", "min s", "t/min",
			       "B/s", "/limit", "B/cmd", "chain us", "cpu %");
		printf("%-11s %-8s %9" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64
		       " %9.4f %9.4f %8.5f %9.1f %7.4f %8.1f %8.2f %6.3f\n",
		       op_names[r->op], edudma_kind_name(r->kind), r->len, r->commands,
		       r->min_commands, r->map_commands, r->device_ns / 1e9, f.min_ns / 1e9,
		       f.time_vs_min, f.bps, f.vs_limit, f.per_cmd, f.chain_us, 100 * r->cpu_busy);
		fflush(stdout);
	}
	o = json_object_new_object();
	cli_json_add(o, "op", json_object_new_string(op_names[r->op]));
	cli_json_add(o, "kind", json_object_new_string(edudma_kind_name(r->kind)));
	cli_json_add(o, "bytes", cli_json_u64(r->len));
	cli_json_add(o, "commands", cli_json_u64(r->commands));
	cli_json_add(o, "min_commands", cli_json_u64(r->min_commands));
	cli_json_add(o, "mapping_min_commands", r->map_commands ? cli_json_u64(r->map_commands) :
		     NULL);
	cli_json_add(o, "device_ns", cli_json_u64(r->device_ns));
	cli_json_add(o, "min_ns", cli_json_double(f.min_ns));
	cli_json_add(o, "time_vs_min", cli_json_double(f.time_vs_min));
	cli_json_add(o, "bytes_per_s", cli_json_double(f.bps));
	cli_json_add(o, "vs_limit", cli_json_double(f.vs_limit));
	cli_json_add(o, "bytes_per_command", cli_json_double(f.per_cmd));
	cli_json_add(o, "chain_us", cli_json_double(f.chain_us));
	cli_json_add(o, "cpu_busy", cli_json_double(r->cpu_busy));
	json_object_array_add(b->jrows, o);
}

/* every size of one kind: to_device, from_device, copy (compared with --verify) */
static int bench_kind(struct edudma *e, struct bench *b, uint32_t kind, const char **what)
{
	static const uint32_t ops[] = { EDUDMA_XFER_TO_DEVICE, EDUDMA_XFER_FROM_DEVICE,
					EDUDMA_XFER_COPY };
	struct edudma_buf *src = NULL, *dst = NULL;
	uint64_t size = b->sizes[b->nsizes - 1];
	uint8_t *s, *d;
	int ret;

	*what = "alloc";
	ret = edudma_buf_alloc(e, size, kind, &src);
	if (!ret)
		ret = edudma_buf_alloc(e, size, kind, &dst);
	if (!ret)
		ret = edudma_buf_mmap(src, (void **)&s);
	if (!ret)
		ret = edudma_buf_mmap(dst, (void **)&d);
	if (!ret) {
		cli_fill(s, size, size);
		*what = "sync";
		ret = edudma_buf_sync(src, 0, size, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
	}
	for (size_t z = 0; z < b->nsizes && !ret; z++) {
		/* to_device first: the window then holds this file's data, no scrub */
		for (size_t i = 0; i < 3 && !ret; i++) {
			struct bench_row *r = &b->rows[b->nrows];

			*what = op_names[ops[i]];
			ret = bench_one(e, b, src, dst, ops[i], b->sizes[z], r);
			if (ret)
				break;
			b->nrows++;
			row_out(b, r);
		}
		if (ret || !b->verify)
			continue;
		*what = "sync";
		ret = edudma_buf_sync(dst, 0, b->sizes[z],
				      EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
		if (!ret && memcmp(s, d, b->sizes[z])) {
			*what = "verify copy";
			fprintf(stderr, "edudma bench: the copy of %" PRIu64 " bytes between %s "
				"buffers differs\n", b->sizes[z], edudma_kind_name(kind));
			ret = -EIO;
		}
	}
	edudma_buf_free(src);
	edudma_buf_free(dst);
	return ret;
}

/* the aggregate's workers start their transfers together */
struct agg_sync {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t ready;
	bool go, abort;
};

struct agg_arg {
	char *node;
	uint64_t len;
	struct agg_sync *sync;
	uint64_t end_ns;
	int ret;
};

static void *agg_worker(void *data)
{
	struct agg_arg *a = data;
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .length = a->len };
	struct agg_sync *s = a->sync;
	struct edudma_buf *b = NULL;
	struct edudma *e = NULL;
	bool abort;

	a->ret = edudma_open(a->node, &e);
	if (!a->ret)
		a->ret = edudma_buf_alloc(e, a->len, EDUDMA_BUF_PAGES, &b);
	pthread_mutex_lock(&s->lock);
	s->ready++;
	pthread_cond_broadcast(&s->cond);
	while (!s->go)
		pthread_cond_wait(&s->cond, &s->lock);
	abort = s->abort;
	pthread_mutex_unlock(&s->lock);
	if (!a->ret && !abort) {
		x.src_handle = edudma_buf_handle(b);
		a->ret = edudma_submit(e, &x);
	}
	a->end_ns = cli_now_ns();
	edudma_buf_free(b);
	edudma_close(e);
	return NULL;
}

/* every bound device moving @len bytes to the device at once */
static int bench_aggregate(struct bench *b, uint64_t len, const char **what)
{
	struct agg_sync sync = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false,
				 false };
	struct edudma_device **list;
	struct agg_arg *args;
	struct json_object *o;
	pthread_t *th;
	uint64_t t0, end = 0;
	size_t n, m = 0, started = 0;
	double bps, vs;
	int ret;

	*what = "list devices";
	ret = edudma_list(&list, &n);
	if (ret)
		return ret;
	args = calloc(n ? n : 1, sizeof(*args));
	th = calloc(n ? n : 1, sizeof(*th));
	for (size_t i = 0; args && th && i < n; i++)
		if (edudma_device_minor(list[i]) >= 0)
			args[m++] = (struct agg_arg){ .node = strdup(edudma_device_node(list[i])),
						      .len = len, .sync = &sync };
	edudma_list_free(list);
	if (!args || !th) {
		ret = -ENOMEM;
		goto out;
	}
	*what = "aggregate: no device bound to edudma";
	if (!m) {
		ret = -ENODEV;
		goto out;
	}
	*what = "aggregate: start a thread";
	for (started = 0; started < m; started++) {
		ret = -pthread_create(&th[started], NULL, agg_worker, &args[started]);
		if (ret)
			break;
	}
	pthread_mutex_lock(&sync.lock);
	while (sync.ready < started)
		pthread_cond_wait(&sync.cond, &sync.lock);
	sync.go = true;
	sync.abort = ret != 0;
	pthread_cond_broadcast(&sync.cond);
	pthread_mutex_unlock(&sync.lock);
	t0 = cli_now_ns();
	for (size_t i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		end = args[i].end_ns > end ? args[i].end_ns : end;
		if (!ret && args[i].ret) {
			*what = "aggregate";
			ret = args[i].ret;
		}
	}
	if (ret)
		goto out;
	bps = (double)m * len * 1e9 / (double)(end - t0);
	vs = bps / (m * b->lim.bytes_per_s);
	o = json_object_new_object();
	cli_json_add(o, "devices", cli_json_u64(m));
	cli_json_add(o, "bytes_each", cli_json_u64(len));
	cli_json_add(o, "seconds", cli_json_double((end - t0) / 1e9));
	cli_json_add(o, "bytes_per_s", cli_json_double(bps));
	cli_json_add(o, "vs_n_limits", cli_json_double(vs));
	cli_json_add(b->doc, "aggregate", o);
	if (!cli.json)
		printf("\n%zu device%s at once, %" PRIu64 " bytes each to the device: %.4f s, "
		       "%.1f B/s = %.4f x %zu x the device limit\n", m, m == 1 ? "" : "s", len,
		       (end - t0) / 1e9, bps, vs, m);
out:
	for (size_t i = 0; args && i < m; i++)
		free(args[i].node);
	free(args);
	free(th);
	return ret;
}

static int write_csv(const struct bench *b, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "we") : stdout;

	if (!f)
		return -errno;
	fprintf(f, "op,kind,bytes,commands,min_commands,mapping_min_commands,device_ns,min_ns,"
		"time_vs_min,bytes_per_s,vs_limit,bytes_per_command,chain_us,cpu_busy\n");
	for (size_t i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];
		struct row_figures g = figures(b, r);

		fprintf(f, "%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%.0f,%.6f,%.3f,%.6f,%.3f,%.3f,%.6f\n", op_names[r->op],
			edudma_kind_name(r->kind), r->len, r->commands, r->min_commands,
			r->map_commands, r->device_ns, g.min_ns, g.time_vs_min, g.bps, g.vs_limit,
			g.per_cmd, g.chain_us, r->cpu_busy);
	}
	if (f == stdout)
		return fflush(f) ? -errno : 0;
	return fclose(f) ? -errno : 0;
}

/*
 * The plot, through gnuplot (Debian's gnuplot-nox): throughput over the
 * device's limit and commands over the minimum, per kind and direction over
 * the sizes, and the aggregate in the title.
 */
static int write_plot(const struct bench *b, const char *path)
{
	char data[] = "/tmp/edudma-bench-XXXXXX";
	struct json_object *agg;
	char title[160] = "";
	FILE *f, *g;
	int fd, st;

	fd = mkstemp(data);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(data);
		return -ENOMEM;
	}
	for (uint32_t k = 1; k <= 3; k++) {
		for (uint32_t op = 1; op <= 3; op++) {
			fprintf(f, "# %s %s\n", edudma_kind_name(k), op_names[op]);
			for (size_t i = 0; i < b->nrows; i++) {
				const struct bench_row *r = &b->rows[i];
				struct row_figures fg = figures(b, r);

				if (r->kind == k && r->op == op)
					fprintf(f, "%" PRIu64 " %.6f %.6f\n", r->len, fg.vs_limit,
						(double)r->commands / r->min_commands);
			}
			fprintf(f, "\n\n");
		}
	}
	fclose(f);
	if (json_object_object_get_ex(b->doc, "aggregate", &agg))
		snprintf(title, sizeof(title), "; %d devices at once: %.3f x their limits",
			 json_object_get_int(json_object_object_get(agg, "devices")),
			 json_object_get_double(json_object_object_get(agg, "vs_n_limits")));
	g = popen("gnuplot", "w");
	if (!g) {
		unlink(data);
		return -errno;
	}
	fprintf(g, "set terminal pngcairo size 1200,520 noenhanced\nset output '%s'\n"
		"set multiplot layout 1,2 title 'edudma bench: window %" PRIu64 " B, %.1f ms per "
		"command, limit %.0f B/s%s'\nset logscale x 2\nset xtics (",
		path, b->lim.window, b->lim.command_ns / 1e6, b->lim.bytes_per_s, title);
	for (size_t z = 0; z < b->nsizes; z++) {
		uint64_t v = b->sizes[z];
		const char *unit = "";

		if (!(v % (1 << 20))) {
			v >>= 20;
			unit = "M";
		} else if (!(v % 1024)) {
			v >>= 10;
			unit = "K";
		}
		fprintf(g, "%s'%" PRIu64 "%s' %" PRIu64, z ? ", " : "", v, unit, b->sizes[z]);
	}
	fprintf(g, ")\nset xlabel 'transfer size (bytes)'\nset key bottom right\nset grid\n"
		"set ylabel 'throughput / device limit'\nset yrange [0:1.1]\n");
	for (int panel = 0; panel < 2; panel++) {
		if (panel)
			fprintf(g, "set ylabel 'DMA commands / minimum'\nset yrange [0.9:*]\n"
				"unset key\n");
		fprintf(g, "plot ");
		for (int i = 0; i < 9; i++)
			fprintf(g, "%s'%s' index %d using 1:%d with linespoints title '%s %s'",
				i ? ", " : "", data, i, panel ? 3 : 2,
				edudma_kind_name((uint32_t)(i / 3 + 1)), op_names[i % 3 + 1]);
		fprintf(g, "\n");
	}
	fprintf(g, "unset multiplot\n");
	st = pclose(g);
	unlink(data);
	if (st == -1)
		return -errno;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

/* ---- registered user memory (--user) ---------------------------------------- */

#define USER_REG_BYTES (16ULL << 20)
#define USER_XFER_BYTES (64ULL << 10)
#define USER_ROUNDS 4
#define USER_XFER_ROUNDS 2

/* what the transfers of one kind of source took, summed over the rounds */
struct user_run {
	uint64_t wall, dev, cmds;
};

/* one blocking TO_DEVICE of @len from @src */
static int user_xfer(struct edudma *e, struct edudma_buf *src, uint64_t len, struct user_run *r)
{
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .src_handle = edudma_buf_handle(src),
				 .length = len };
	uint64_t t0 = cli_now_ns();
	int ret = edudma_submit(e, &x);

	r->wall += cli_now_ns() - t0;
	r->dev += x.device_ns;
	r->cmds += x.commands;
	return ret;
}

static void user_json(struct json_object *o, const char *name, const struct user_run *r)
{
	struct json_object *j = json_object_new_object();

	cli_json_add(j, "ms", cli_json_double(r->wall / 1e6 / USER_XFER_ROUNDS));
	cli_json_add(j, "device_ms", cli_json_double(r->dev / 1e6 / USER_XFER_ROUNDS));
	cli_json_add(j, "commands", cli_json_u64(r->cmds / USER_XFER_ROUNDS));
	cli_json_add(o, name, j);
}

/*
 * Side by side, in one run: registering page-aligned malloc'd memory
 * against allocating a PAGES buffer of the same size (per MiB); a 64 KiB
 * TO_DEVICE from registered memory against one from a PAGES buffer (the
 * same commands, so ~1.0); and against pinning the same memory for each
 * transfer, as XDMA does (register, transfer, free).
 */
static int bench_user(struct edudma *e, struct bench *b, const char **what)
{
	struct user_run reg = { 0 }, pages = { 0 }, pin = { 0 }, pin_xfer = { 0 };
	uint64_t reg_ns = 0, alloc_ns = 0, t0;
	struct edudma_buf *u = NULL, *pg = NULL, *tmp;
	double mib = (double)USER_REG_BYTES / (1 << 20);
	struct json_object *o;
	void *mem;
	int ret = 0;

	*what = "benchmark registered user memory";
	if (posix_memalign(&mem, 4096, USER_REG_BYTES))
		return -ENOMEM;
	memset(mem, 1, USER_REG_BYTES);
	for (int i = 0; i < USER_ROUNDS && !ret; i++) {
		t0 = cli_now_ns();
		ret = edudma_buf_register(e, mem, USER_REG_BYTES, 0, &tmp);
		reg_ns += cli_now_ns() - t0;
		edudma_buf_free(ret ? NULL : tmp);
		t0 = cli_now_ns();
		if (!ret)
			ret = edudma_buf_alloc(e, USER_REG_BYTES, EDUDMA_BUF_PAGES, &tmp);
		alloc_ns += cli_now_ns() - t0;
		edudma_buf_free(ret ? NULL : tmp);
	}
	if (!ret)
		ret = edudma_buf_register(e, mem, USER_XFER_BYTES, EDUDMA_REGISTER_READONLY, &u);
	if (!ret)
		ret = edudma_buf_alloc(e, USER_XFER_BYTES, EDUDMA_BUF_PAGES, &pg);
	for (int i = 0; i < USER_XFER_ROUNDS && !ret; i++) {
		ret = user_xfer(e, u, USER_XFER_BYTES, &reg);
		if (!ret)
			ret = user_xfer(e, pg, USER_XFER_BYTES, &pages);
		t0 = cli_now_ns();
		if (!ret)
			ret = edudma_buf_register(e, mem, USER_XFER_BYTES, EDUDMA_REGISTER_READONLY,
						  &tmp);
		if (!ret) {
			ret = user_xfer(e, tmp, USER_XFER_BYTES, &pin_xfer);
			edudma_buf_free(tmp);
		}
		pin.wall += cli_now_ns() - t0;	/* register, transfer and free */
	}
	pin.dev = pin_xfer.dev;
	pin.cmds = pin_xfer.cmds;
	edudma_buf_free(u);
	edudma_buf_free(pg);
	free(mem);
	if (ret)
		return ret;
	o = json_object_new_object();
	cli_json_add(o, "register_us_per_mib", cli_json_double(reg_ns / 1e3 / USER_ROUNDS / mib));
	cli_json_add(o, "alloc_pages_us_per_mib",
		     cli_json_double(alloc_ns / 1e3 / USER_ROUNDS / mib));
	cli_json_add(o, "xfer_bytes", cli_json_u64(USER_XFER_BYTES));
	user_json(o, "registered", &reg);
	user_json(o, "pages", &pages);
	user_json(o, "pin_each", &pin);
	cli_json_add(o, "device_registered_vs_pages", cli_json_double((double)reg.dev / pages.dev));
	cli_json_add(o, "registered_vs_pages", cli_json_double((double)reg.wall / pages.wall));
	cli_json_add(o, "pin_each_vs_registered", cli_json_double((double)pin.wall / reg.wall));
	cli_json_add(b->doc, "user_memory", o);
	if (cli.json)
		return 0;
	printf("user memory (malloc'd; %d rounds of registration, %d of transfers):\n",
	       USER_ROUNDS, USER_XFER_ROUNDS);
	printf("  register %.0f MiB: %.1f us/MiB; ALLOC of PAGES: %.1f us/MiB (%.2fx)\n", mib,
	       reg_ns / 1e3 / USER_ROUNDS / mib, alloc_ns / 1e3 / USER_ROUNDS / mib,
	       (double)reg_ns / alloc_ns);
	printf("  %llu KiB to_device: registered %.2f ms, %llu commands; PAGES %.2f ms, %llu "
	       "commands (%.4fx; device time %.4fx)\n", USER_XFER_BYTES >> 10,
	       reg.wall / 1e6 / USER_XFER_ROUNDS, (unsigned long long)reg.cmds / USER_XFER_ROUNDS,
	       pages.wall / 1e6 / USER_XFER_ROUNDS,
	       (unsigned long long)pages.cmds / USER_XFER_ROUNDS, (double)reg.wall / pages.wall,
	       (double)reg.dev / pages.dev);
	printf("  %llu KiB to_device pinned for the transfer (register, transfer, free): %.2f ms "
	       "(%.4fx registered once)\n", USER_XFER_BYTES >> 10,
	       pin.wall / 1e6 / USER_XFER_ROUNDS, (double)pin.wall / reg.wall);
	return 0;
}

/* ---- io_uring against ioctl + WAIT (--uring) ------------------------------- */

#ifdef EDUDMA_HAVE_LIBURING

#define URING_XFERS 1000
#define URING_BYTES 64
#define URING_DEPTH 64

/*
 * CPU time of this process (its syscalls, io_uring's task work and io-wq
 * workers: all of a transfer's submission and completion but the interrupt
 * handler, which both paths share), guest busy time (all CPUs, /proc/stat,
 * with whatever else the guest ran meanwhile), wall time and syscalls
 */
struct cpu_run {
	uint64_t busy, total, proc_ns, wall, syscalls;
};

static uint64_t proc_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static void cpu_run_mark(struct cpu_run *r, bool end)
{
	uint64_t busy, total, proc = proc_cpu_ns(), now = cli_now_ns();

	cpu_times(&busy, &total);
	if (!end) {
		*r = (struct cpu_run){ busy, total, proc, now, 0 };
		return;
	}
	r->busy = busy - r->busy;
	r->total = total - r->total;
	r->proc_ns = proc - r->proc_ns;
	r->wall = now - r->wall;
}

/* us of guest busy time per transfer: busy jiffies of all CPUs (USER_HZ) */
static double cpu_us(const struct cpu_run *r)
{
	return r->busy * (1e6 / sysconf(_SC_CLK_TCK)) / URING_XFERS;
}

static void cpu_json(struct json_object *o, const char *name, const struct cpu_run *r)
{
	struct json_object *j = json_object_new_object();

	cli_json_add(j, "cpu_us_per_xfer", cli_json_double(r->proc_ns / 1e3 / URING_XFERS));
	cli_json_add(j, "guest_busy_us_per_xfer", cli_json_double(cpu_us(r)));
	cli_json_add(j, "syscalls_per_xfer", cli_json_double((double)r->syscalls / URING_XFERS));
	cli_json_add(j, "wall_ms", cli_json_double(r->wall / 1e6));
	cli_json_add(o, name, j);
}

/* URING_XFERS async ioctls, URING_DEPTH in flight, each reaped by a WAIT */
static int bench_ioctl_wait(struct edudma *e, const struct edudma_xfer *x0, struct cpu_run *r)
{
	unsigned int sent = 0, done = 0;
	struct edudma_wait w;
	int ret = 0;

	cpu_run_mark(r, false);
	while (done < URING_XFERS && !ret) {
		while (sent < URING_XFERS && sent - done < URING_DEPTH && !ret) {
			struct edudma_xfer x = *x0;

			x.flags = EDUDMA_XFER_ASYNC;
			ret = edudma_submit(e, &x);
			sent++;
			r->syscalls++;
		}
		if (ret)
			break;
		ret = edudma_reap(e, 0, EDUDMA_WAIT_FOREVER, &w);
		r->syscalls++;
		ret = ret ? ret : w.status;
		done++;
	}
	cpu_run_mark(r, true);
	return ret;
}

/* the same through one ring: refill the SQ, submit and wait in one call */
static int bench_uring_ring(struct edudma *e, const struct edudma_xfer *x, struct cpu_run *r)
{
	unsigned int sent = 0, done = 0;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(URING_DEPTH, &ring, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
	if (ret)
		return ret;
	cpu_run_mark(r, false);
	while (done < URING_XFERS && !ret) {
		while (sent < URING_XFERS && sent - done < URING_DEPTH && !ret) {
			ret = edudma_uring_prep_xfer(e, io_uring_get_sqe(&ring), x);
			sent++;
		}
		if (!ret) {
			ret = io_uring_submit_and_wait(&ring, 1);
			r->syscalls++;
		}
		if (ret < 0)
			break;
		ret = 0;
		/* every CQE that is there, without another syscall */
		while (!ret && io_uring_peek_cqe(&ring, &cqe) == 0) {
			ret = edudma_uring_result(cqe, 1, NULL);
			io_uring_cqe_seen(&ring, cqe);
			done++;
		}
	}
	cpu_run_mark(r, true);
	io_uring_queue_exit(&ring);
	return ret;
}

/*
 * Side by side, in one run: URING_XFERS small TO_DEVICE transfers, with
 * URING_DEPTH in flight, through ioctl + WAIT and through io_uring; the
 * figure is guest CPU time per transfer (run under qemu/run --fast-clock:
 * each command is 100 ms of guest time, idle time warps).
 */
static int bench_uring(struct edudma *e, struct bench *b, const char **what)
{
	struct cpu_run io = { 0 }, ur = { 0 };
	struct edudma_buf *src = NULL;
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .length = URING_BYTES };
	struct json_object *o;
	int ret;

	*what = "benchmark io_uring submission";
	ret = edudma_buf_alloc(e, 4096, EDUDMA_BUF_PAGES, &src);
	if (ret)
		return ret;
	x.src_handle = edudma_buf_handle(src);
	ret = bench_ioctl_wait(e, &x, &io);
	if (!ret)
		ret = bench_uring_ring(e, &x, &ur);
	edudma_buf_free(src);
	if (ret)
		return ret;
	o = json_object_new_object();
	cli_json_add(o, "transfers", cli_json_u64(URING_XFERS));
	cli_json_add(o, "bytes", cli_json_u64(URING_BYTES));
	cli_json_add(o, "in_flight", cli_json_u64(URING_DEPTH));
	cpu_json(o, "ioctl_wait", &io);
	cpu_json(o, "uring", &ur);
	cli_json_add(o, "cpu_uring_vs_ioctl",
		     cli_json_double(io.proc_ns ? (double)ur.proc_ns / io.proc_ns : 0));
	cli_json_add(o, "guest_busy_uring_vs_ioctl",
		     cli_json_double(io.busy ? (double)ur.busy / io.busy : 0));
	cli_json_add(b->doc, "uring", o);
	if (cli.json)
		return 0;
	printf("io_uring (%d x %d B to_device, %d in flight; CPU time of this process):\n",
	       URING_XFERS, URING_BYTES, URING_DEPTH);
	printf("  ioctl + WAIT: %.2f us CPU/transfer, %.2f syscalls/transfer (guest busy %.0f us/"
	       "transfer)\n", io.proc_ns / 1e3 / URING_XFERS, (double)io.syscalls / URING_XFERS,
	       cpu_us(&io));
	printf("  io_uring:     %.2f us CPU/transfer (%.3fx), %.2f syscalls/transfer (guest busy "
	       "%.0f us/transfer)\n", ur.proc_ns / 1e3 / URING_XFERS,
	       io.proc_ns ? (double)ur.proc_ns / io.proc_ns : 0, (double)ur.syscalls / URING_XFERS,
	       cpu_us(&ur));
	return 0;
}
#else
static int bench_uring(struct edudma *e, struct bench *b, const char **what)
{
	(void)e;
	(void)b;
	*what = "benchmark io_uring: this edudma was built without liburing (liburing-dev)";
	return -EOPNOTSUPP;
}
#endif

enum { OPT_SIZE = 's', OPT_KIND = 'k', OPT_VERIFY = 'v', OPT_QUICK = 256, OPT_CSV, OPT_PLOT,
       OPT_USER, OPT_URING };

static int set_bench_opt(int key, const char *arg, void *ctx)
{
	struct bench *b = ctx;
	uint32_t kind;
	int ret;

	switch (key) {
	case OPT_SIZE:
		b->nsizes = 1;
		return cli_parse_size_arg("size", arg, &b->sizes[0]);
	case OPT_QUICK:
		b->nsizes = 2;
		b->sizes[0] = 4096;
		b->sizes[1] = 64 * 1024;
		return -1;
	case OPT_KIND:
		ret = cli_parse_kind_arg(arg, &kind);
		if (ret >= 0)
			return ret;
		if (kind == EDUDMA_BUF_AUTO)
			return cli_usage_error("--kind: bench takes coherent, pages or vmalloc");
		for (size_t i = 0; i < b->nkinds; i++)
			if (b->kinds[i] == kind)
				return -1;
		b->kinds[b->nkinds++] = kind;
		return -1;
	case OPT_VERIFY:
		b->verify = true;
		return -1;
	case OPT_CSV:
		b->csv = arg;
		return -1;
	case OPT_PLOT:
		b->plot = arg;
		return -1;
	case OPT_USER:
		b->user = true;
		return -1;
	case OPT_URING:
		b->uring = true;
		return -1;
	default:
		return EXIT_USAGE;
	}
}

int cmd_bench(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "size", OPT_SIZE, "SIZE", "one transfer size (default 4K 16K 64K 256K 1M)" },
		{ "quick", OPT_QUICK, NULL, "sizes 4K and 64K only" },
		{ "kind", OPT_KIND, "KIND", "coherent, pages or vmalloc; repeat for more "
		  "(default all three)" },
		{ "verify", OPT_VERIFY, NULL, "compare every copy with its source" },
		{ "csv", OPT_CSV, "FILE", "the rows as CSV (- for stdout)" },
		{ "plot", OPT_PLOT, "FILE.png", "plot through gnuplot" },
		{ "user", OPT_USER, NULL, "also registered user memory: registration cost, "
		  "transfers against PAGES and against pinning per transfer" },
		{ "uring", OPT_URING, NULL, "also 1000 small transfers through io_uring against "
		  "ioctl + WAIT: guest CPU time per transfer (use qemu/run --fast-clock)" },
		{ NULL, 0, NULL, NULL },
	};
	struct bench b = { .sizes = { 4096, 16384, 65536, 262144, 1048576 }, .nsizes = 5 };
	const char *what = "measure the device";
	struct json_object *jl;
	struct edudma *e;
	int ret, pos;

	ret = cli_parse(argc, argv, "[--size SIZE | --quick] [--kind KIND]... [--verify] "
			"[--csv FILE] [--plot FILE.png] [--user] [--uring]", opts, set_bench_opt, &b, &pos);
	if (ret >= 0)
		return ret;
	if (pos != argc)
		return cli_usage_error("unexpected argument '%s'", argv[pos]);
	if (b.csv && cli.json && !strcmp(b.csv, "-"))
		return cli_usage_error("--csv - and --json both want stdout");
	if (!b.nkinds) {
		b.kinds[0] = EDUDMA_BUF_COHERENT;
		b.kinds[1] = EDUDMA_BUF_PAGES;
		b.kinds[2] = EDUDMA_BUF_VMALLOC_SG;
		b.nkinds = 3;
	}
	b.rows = calloc(b.nkinds * b.nsizes * 3, sizeof(*b.rows));
	if (!b.rows)
		return cli_fail("bench", -ENOMEM, NULL);
	ret = cli_open(cli.device, &e);
	if (ret) {
		free(b.rows);
		return ret;
	}
	b.doc = json_object_new_object();
	ret = cli_measure_limit(e, &b.lim);
	if (ret)
		goto out;
	cli_json_add(b.doc, "device", json_object_new_string(cli.device));
	jl = json_object_new_object();
	cli_json_add(jl, "window_bytes", cli_json_u64(b.lim.window));
	cli_json_add(jl, "command_ns", cli_json_u64(b.lim.command_ns));
	cli_json_add(jl, "bytes_per_s", cli_json_double(b.lim.bytes_per_s));
	cli_json_add(b.doc, "limit", jl);
	b.jrows = json_object_new_array();
	cli_json_add(b.doc, "rows", b.jrows);
	if (!cli.json)
		printf("edudma bench: device limit %.0f B/s (%" PRIu64 " bytes per %.1f ms command, "
		       "measured); guest clock\n", b.lim.bytes_per_s, b.lim.window,
		       b.lim.command_ns / 1e6);
	/* the rows, one per transfer as it ends, show how far it is */
	for (size_t k = 0; k < b.nkinds && !ret; k++)
		ret = bench_kind(e, &b, b.kinds[k], &what);
	if (!ret)
		ret = bench_aggregate(&b, b.sizes[b.nsizes - 1], &what);
	if (!ret && b.user)
		ret = bench_user(e, &b, &what);
	if (!ret && b.uring)
		ret = bench_uring(e, &b, &what);
	if (!ret && b.csv) {
		what = "write the CSV file";
		ret = write_csv(&b, b.csv);
	}
	if (!ret && b.plot) {
		what = "plot with gnuplot (Debian's gnuplot-nox)";
		ret = write_plot(&b, b.plot);
	}
out:
	edudma_close(e);
	free(b.rows);
	if (ret)
		return cli_fail(what, ret, b.doc);
	return cli_emit(b.doc, EXIT_OK);
}
