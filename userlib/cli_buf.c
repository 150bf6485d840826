// SPDX-License-Identifier: LGPL-2.1-or-later
/* edudma CLI: alloc, copy and share, buffers and transfers as a user sees them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_fill(uint8_t *p, uint64_t len, uint64_t seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)((i + seed) * 131 + (i >> 12));
}

/* the first byte of @p that is not what cli_fill(seed) wrote (or 0), or @len */
static uint64_t check_fill(const uint8_t *p, uint64_t len, uint64_t seed, bool zero)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != (zero ? 0 : (uint8_t)((i + seed) * 131 + (i >> 12))))
			return i;
	return len;
}

int cli_xfer_progress(struct edudma *e, struct edudma_xfer *x, uint64_t planned,
		      const char *what)
{
	struct cli_progress p;
	struct edudma_stats s0, s;
	struct edudma_wait w;
	int ret;

	cli_progress_start(&p, what);
	if (!p.on)
		return edudma_submit(e, x);
	ret = edudma_get_stats(e, &s0, sizeof(s0));
	if (ret)
		return ret;
	x->flags |= EDUDMA_XFER_ASYNC;
	ret = edudma_submit(e, x);
	if (ret)
		return ret;
	for (;;) {
		ret = edudma_reap(e, x->seq, 250, &w);
		if (ret != -ETIMEDOUT)
			break;
		/* the device's command counter: other files' commands show too */
		if (!edudma_get_stats(e, &s, sizeof(s)))
			cli_progress_update(&p, what, s.dma_commands - s0.dma_commands, planned,
					    "commands");
	}
	if (!ret) {
		p.last = 0;	/* the last update always shows */
		cli_progress_update(&p, what, planned, planned, "commands");
		ret = w.status;
		x->commands = w.commands;
		x->device_ns = w.device_ns;
	}
	cli_progress_end(&p);
	return ret;
}

/* ---- options of alloc, copy and share --------------------------------------- */

enum { OPT_SIZE = 's', OPT_KIND = 'k', OPT_VERIFY = 'v', OPT_TO = 't' };

struct buf_opts {
	uint64_t size;
	uint32_t kind;
	bool verify;
	const char *to;
};

static int set_buf_opt(int key, const char *arg, void *ctx)
{
	struct buf_opts *o = ctx;

	switch (key) {
	case OPT_SIZE:
		return cli_parse_size_arg("size", arg, &o->size);
	case OPT_KIND:
		return cli_parse_kind_arg(arg, &o->kind);
	case OPT_VERIFY:
		o->verify = true;
		return -1;
	case OPT_TO:
		o->to = arg;
		return -1;
	default:
		return EXIT_USAGE;
	}
}

#define OPT_SIZE_ENTRY { "size", OPT_SIZE, "SIZE", "bytes: 4096, 64K, 1M, 0x1000 (required)" }
#define OPT_KIND_ENTRY { "kind", OPT_KIND, "KIND", "auto, coherent, pages or vmalloc (default auto)" }

static int parse_buf_opts(int argc, char **argv, const char *usage, const struct cli_opt *opts,
			  struct buf_opts *o)
{
	int ret, pos;

	ret = cli_parse(argc, argv, usage, opts, set_buf_opt, o, &pos);
	if (ret >= 0)
		return ret;
	if (pos != argc)
		return cli_usage_error("unexpected argument '%s'", argv[pos]);
	if (!o->size)
		return cli_usage_error("needs --size SIZE");
	return -1;
}

static struct json_object *jbuf(struct edudma_buf *b)
{
	struct json_object *o = json_object_new_object();

	cli_json_add(o, "kind", json_object_new_string(edudma_kind_name(edudma_buf_kind(b))));
	cli_json_add(o, "size", cli_json_u64(edudma_buf_size(b)));
	cli_json_add(o, "segments", json_object_new_int64(edudma_buf_segments(b)));
	return o;
}

/* ---- alloc ------------------------------------------------------------------ */

int cmd_alloc(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		OPT_SIZE_ENTRY, OPT_KIND_ENTRY,
		{ "verify", OPT_VERIFY, NULL, "check it reads zero, write a pattern, sync, read back" },
		{ NULL, 0, NULL, NULL },
	};
	struct buf_opts o = { .kind = EDUDMA_BUF_AUTO };
	uint64_t t0, t_alloc, t_mmap, t_zero = 0, t_write = 0, t_verify = 0, bad, size;
	struct json_object *doc = NULL;
	struct edudma_buf_info info;
	struct edudma_buf *b = NULL;
	const char *what = "alloc";
	struct edudma *e;
	bool ok = true;
	uint8_t *p;
	int ret;

	ret = parse_buf_opts(argc, argv, "--size SIZE [--kind KIND] [--verify]", opts, &o);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	t0 = cli_now_ns();
	ret = edudma_buf_alloc(e, o.size, o.kind, &b);
	t_alloc = cli_now_ns() - t0;
	if (ret)
		goto out;
	what = "mmap";
	t0 = cli_now_ns();
	ret = edudma_buf_mmap(b, (void **)&p);
	t_mmap = cli_now_ns() - t0;
	if (!ret) {
		what = "buffer info";
		ret = edudma_buf_get_info(b, &info);
	}
	if (ret)
		goto out;
	size = edudma_buf_size(b);
	if (o.verify) {
		what = "sync";
		t0 = cli_now_ns();
		ret = edudma_buf_sync(b, 0, size, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
		bad = check_fill(p, size, 0, true);
		t_zero = cli_now_ns() - t0;
		if (bad != size) {
			fprintf(stderr, "edudma alloc: byte %" PRIu64 " not zero on first read\n", bad);
			ok = false;
		}
		t0 = cli_now_ns();
		if (!ret)
			ret = edudma_buf_sync(b, 0, size, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_WRITE);
		cli_fill(p, size, 0);
		if (!ret)
			ret = edudma_buf_sync(b, 0, size, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
		t_write = cli_now_ns() - t0;
		t0 = cli_now_ns();
		if (!ret)
			ret = edudma_buf_sync(b, 0, size, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
		bad = check_fill(p, size, 0, false);
		t_verify = cli_now_ns() - t0;
		if (bad != size) {
			fprintf(stderr, "edudma alloc: pattern differs at byte %" PRIu64 "\n", bad);
			ok = false;
		}
		if (ret)
			goto out;
	}
	doc = jbuf(b);
	cli_json_add(doc, "bounce_bytes", cli_json_u64(info.bounce_bytes));
	cli_json_add(doc, "alloc_ns", cli_json_u64(t_alloc));
	cli_json_add(doc, "mmap_ns", cli_json_u64(t_mmap));
	cli_json_add(doc, "verified", json_object_new_boolean(o.verify));
	if (o.verify) {
		cli_json_add(doc, "zero_check_ns", cli_json_u64(t_zero));
		cli_json_add(doc, "write_ns", cli_json_u64(t_write));
		cli_json_add(doc, "verify_ns", cli_json_u64(t_verify));
	}
	cli_json_add(doc, "ok", json_object_new_boolean(ok));
	if (!cli.json) {
		printf("%s buffer of %" PRIu64 " bytes: %u DMA segment%s, %" PRIu64
		       " bytes bounced; alloc %.3f ms, mmap %.3f ms%s\n",
		       edudma_kind_name(info.kind), size, info.nr_segments,
		       info.nr_segments == 1 ? "" : "s", (uint64_t)info.bounce_bytes, t_alloc / 1e6,
		       t_mmap / 1e6, o.verify ? "" : " (not verified)");
		if (o.verify)
			printf("verify: zero check %.3f ms, write+sync %.3f ms, sync+read back "
			       "%.3f ms: %s\n", t_zero / 1e6, t_write / 1e6, t_verify / 1e6,
			       ok ? "ok" : "MISMATCH");
	}
out:
	edudma_buf_free(b);
	edudma_close(e);
	if (ret)
		return cli_fail(what, ret, doc);
	return cli_emit(doc, ok ? EXIT_OK : EXIT_FAIL);
}

/*
 * COPY @len bytes of handle @src on @e into @dst (mapped at @d) with a
 * progress line, then with @verify compare @dst with what cli_fill(@seed)
 * wrote. @x gets the outputs; @what names the step that failed.
 */
static int copy_and_check(struct edudma *e, uint32_t src, struct edudma_buf *dst,
			  const uint8_t *d, uint64_t len, uint64_t seed, const struct cli_limit *lim,
			  bool verify, struct edudma_xfer *x, bool *ok, const char **what)
{
	uint64_t bad;
	int ret;

	*x = (struct edudma_xfer){ .op = EDUDMA_XFER_COPY, .src_handle = src,
				   .dst_handle = edudma_buf_handle(dst), .length = len };
	*what = "copy";
	ret = cli_xfer_progress(e, x, 2 * ((len + lim->window - 1) / lim->window), cli.command);
	if (ret || !verify)
		return ret;
	*what = "sync";
	ret = edudma_buf_sync(dst, 0, len, EDUDMA_BUF_SYNC_START | EDUDMA_BUF_SYNC_READ);
	if (ret)
		return ret;
	bad = check_fill(d, len, seed, false);
	*ok = bad == len;
	if (!*ok)
		fprintf(stderr, "edudma %s: the copy differs at byte %" PRIu64 "\n", cli.command, bad);
	return 0;
}

/* ---- copy ------------------------------------------------------------------- */

/* a transfer's figures against the device's limit, in @doc */
static void add_timing(struct json_object *doc, const struct edudma_xfer *x,
		       const struct cli_limit *lim)
{
	uint64_t chunks = (x->length + lim->window - 1) / lim->window;
	uint64_t min = x->op == EDUDMA_XFER_COPY ? 2 * chunks : chunks;

	cli_json_add(doc, "bytes", cli_json_u64(x->length));
	cli_json_add(doc, "commands", cli_json_u64(x->commands));
	cli_json_add(doc, "min_commands", cli_json_u64(min));
	cli_json_add(doc, "device_ns", cli_json_u64(x->device_ns));
	cli_json_add(doc, "min_ns", cli_json_u64(min * lim->command_ns));
	cli_json_add(doc, "time_vs_min",
		     cli_json_double((double)x->device_ns / ((double)min * lim->command_ns)));
	cli_json_add(doc, "window_bytes", cli_json_u64(lim->window));
	cli_json_add(doc, "command_ns", cli_json_u64(lim->command_ns));
}

int cmd_copy(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		OPT_SIZE_ENTRY, OPT_KIND_ENTRY,
		{ "verify", OPT_VERIFY, NULL, "compare the destination with the source" },
		{ NULL, 0, NULL, NULL },
	};
	struct buf_opts o = { .kind = EDUDMA_BUF_AUTO };
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY };
	struct edudma_buf *src = NULL, *dst = NULL;
	struct json_object *doc = NULL;
	const char *what = "measure the device";
	struct cli_limit lim;
	struct edudma *e;
	uint8_t *s, *d;
	bool ok = true;
	int ret;

	ret = parse_buf_opts(argc, argv, "--size SIZE [--kind KIND] [--verify]", opts, &o);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	ret = cli_measure_limit(e, &lim);
	if (ret)
		goto out;
	what = "alloc";
	ret = edudma_buf_alloc(e, o.size, o.kind, &src);
	if (!ret)
		ret = edudma_buf_alloc(e, o.size, o.kind, &dst);
	if (!ret)
		ret = edudma_buf_mmap(src, (void **)&s);
	if (!ret)
		ret = edudma_buf_mmap(dst, (void **)&d);
	if (ret)
		goto out;
	cli_fill(s, o.size, o.size);
	what = "sync";
	ret = edudma_buf_sync(src, 0, o.size, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
	if (ret)
		goto out;
	ret = copy_and_check(e, edudma_buf_handle(src), dst, d, o.size, o.size, &lim, o.verify, &x,
			     &ok, &what);
	if (ret)
		goto out;
	doc = jbuf(src);
	add_timing(doc, &x, &lim);
	cli_json_add(doc, "verified", json_object_new_boolean(o.verify));
	cli_json_add(doc, "ok", json_object_new_boolean(ok));
	if (!cli.json)
		printf("copied %" PRIu64 " bytes between %s buffers: %" PRIu64 " DMA commands "
		       "(minimum %" PRIu64 "), %.3f s of device time (%.5f x the minimum)%s\n",
		       o.size, edudma_kind_name(edudma_buf_kind(src)), (uint64_t)x.commands,
		       (uint64_t)json_object_get_uint64(json_object_object_get(doc, "min_commands")),
		       x.device_ns / 1e9,
		       json_object_get_double(json_object_object_get(doc, "time_vs_min")),
		       o.verify ? (ok ? ", data match" : ", DATA DIFFER") : "");
out:
	edudma_buf_free(dst);
	edudma_buf_free(src);
	edudma_close(e);
	if (ret)
		return cli_fail(what, ret, doc);
	return cli_emit(doc, ok ? EXIT_OK : EXIT_FAIL);
}

/* ---- share ------------------------------------------------------------------ */

/*
 * share: a buffer of -d DEV, exported as a dma-buf, imported by --to DEV
 * (default: the same device), copied by that device into a buffer of its
 * own, compared.
 */
int cmd_share(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		OPT_SIZE_ENTRY,
		{ "kind", OPT_KIND, "KIND", "the exported buffer's kind (default pages)" },
		{ "to", OPT_TO, "DEV", "the importing device (default: -d's)" },
		{ "verify", OPT_VERIFY, NULL, "compare the copy with the exported buffer" },
		{ NULL, 0, NULL, NULL },
	};
	struct buf_opts o = { .kind = EDUDMA_BUF_PAGES };
	struct edudma_buf *src = NULL, *imp = NULL, *dst = NULL;
	struct edudma_xfer x = { .op = EDUDMA_XFER_COPY };
	struct edudma *e = NULL, *f = NULL;
	struct json_object *doc = NULL;
	const char *what = "measure the device";
	struct cli_limit lim;
	int ret, dfd = -1;
	uint8_t *s, *d;
	bool ok = true;

	ret = parse_buf_opts(argc, argv, "--size SIZE [--kind KIND] [--to DEV] [--verify]", opts,
			     &o);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli.device, &e);
	if (ret)
		return ret;
	ret = cli_open(o.to ? o.to : cli.device, &f);
	if (ret) {
		edudma_close(e);
		return ret;
	}
	ret = cli_measure_limit(f, &lim);
	if (ret)
		goto out;
	what = "alloc";
	ret = edudma_buf_alloc(e, o.size, o.kind, &src);
	if (!ret)
		ret = edudma_buf_mmap(src, (void **)&s);
	if (ret)
		goto out;
	cli_fill(s, o.size, 7);
	what = "sync";
	ret = edudma_buf_sync(src, 0, o.size, EDUDMA_BUF_SYNC_END | EDUDMA_BUF_SYNC_WRITE);
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
	ret = copy_and_check(f, edudma_buf_handle(imp), dst, d, o.size, 7, &lim, o.verify, &x, &ok,
			     &what);
	if (ret)
		goto out;
	doc = jbuf(src);
	cli_json_add(doc, "import_segments", json_object_new_int64(edudma_buf_segments(imp)));
	add_timing(doc, &x, &lim);
	cli_json_add(doc, "verified", json_object_new_boolean(o.verify));
	cli_json_add(doc, "ok", json_object_new_boolean(ok));
	if (!cli.json)
		printf("exported a %s buffer of %" PRIu64 " bytes as a dma-buf; the importing device "
		       "mapped it in %u DMA segments and copied it into its own buffer: %" PRIu64
		       " DMA commands, %.3f s of device time%s\n",
		       edudma_kind_name(edudma_buf_kind(src)), o.size, edudma_buf_segments(imp),
		       (uint64_t)x.commands, x.device_ns / 1e9,
		       o.verify ? (ok ? ", data match" : ", DATA DIFFER") : "");
out:
	edudma_buf_free(dst);
	edudma_buf_free(imp);
	edudma_buf_free(src);
	edudma_close(f);
	edudma_close(e);
	if (ret)
		return cli_fail(what, ret, doc);
	return cli_emit(doc, ok ? EXIT_OK : EXIT_FAIL);
}
