/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma tracepoints: buffers (alloc, free, mmap, sync, revoke, the pinning
 * and unpinning of registered user memory) and the
 * transfer engine, command by command (queue, each command's start and
 * completion, bounce copies and window scrubs, timeouts, the end of each
 * transfer). `trace-cmd record -e edudma`, perf, or tracefs's
 * events/edudma/. CREATE_TRACE_POINTS is defined in edudma_main.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM edudma

#if !defined(_EDUDMA_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _EDUDMA_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

#include "edudma.h"

#define edudma_trace_op(op)						\
	__print_symbolic(op, { 1, "to_device" }, { 2, "from_device" }, { 3, "copy" })

/* what a command does: the half of a chunk it moves, or a scrub */
#define EDUDMA_CMD_TO_DEVICE	1
#define EDUDMA_CMD_FROM_DEVICE	2
#define EDUDMA_CMD_SCRUB	3
#define edudma_trace_cmd(what)						\
	__print_symbolic(what, { EDUDMA_CMD_TO_DEVICE, "to_device" },	\
			 { EDUDMA_CMD_FROM_DEVICE, "from_device" },	\
			 { EDUDMA_CMD_SCRUB, "scrub" })

#define edudma_trace_kind(kind)						\
	__print_symbolic(kind, { 1, "coherent" }, { 2, "pages" }, { 3, "vmalloc" },	\
			 { 4, "imported" }, { 5, "user" })

DECLARE_EVENT_CLASS(edudma_buf_class,
		    TP_PROTO(const struct edudma_buf *buf),
		    TP_ARGS(buf),
		    TP_STRUCT__entry(__field(int, minor)
				     __field(u32, handle)
				     __field(u32, kind)
				     __field(u32, segs)
				     __field(u64, size)
				     __field(u64, bounce)),
		    TP_fast_assign(__entry->minor = buf->edu->minor;
				   __entry->handle = buf->handle;
				   __entry->kind = buf->kind;
				   __entry->segs = buf->nr_dsegs;
				   __entry->size = buf->size;
				   __entry->bounce = buf->bounce_bytes;),
		    TP_printk("edudma%d buf=%u kind=%s size=%llu segs=%u bounce=%llu",
			      __entry->minor, __entry->handle, edudma_trace_kind(__entry->kind),
			      __entry->size, __entry->segs, __entry->bounce)
);

/* a buffer made (allocated, zeroed, mapped for the device) or imported */
DEFINE_EVENT(edudma_buf_class, edudma_buf_alloc,
	     TP_PROTO(const struct edudma_buf *buf),
	     TP_ARGS(buf));

/* its last reference gone: unmapped and freed */
DEFINE_EVENT(edudma_buf_class, edudma_buf_free,
	     TP_PROTO(const struct edudma_buf *buf),
	     TP_ARGS(buf));

/* its device side taken away (the device is being removed) */
DEFINE_EVENT(edudma_buf_class, edudma_buf_revoke,
	     TP_PROTO(const struct edudma_buf *buf),
	     TP_ARGS(buf));

DECLARE_EVENT_CLASS(edudma_user_class,
		    TP_PROTO(const struct edudma_buf *buf, unsigned long pages),
		    TP_ARGS(buf, pages),
		    TP_STRUCT__entry(__field(int, minor)
				     __field(u32, handle)
				     __field(u64, size)
				     __field(unsigned long, pages)
				     __field(bool, readonly)),
		    TP_fast_assign(__entry->minor = buf->edu->minor;
				   __entry->handle = buf->handle;
				   __entry->size = buf->size;
				   __entry->pages = pages;
				   __entry->readonly = buf->readonly;),
		    TP_printk("edudma%d buf=%u size=%llu pages=%lu%s", __entry->minor,
			      __entry->handle, __entry->size, __entry->pages,
			      __entry->readonly ? " readonly" : "")
);

/* user memory registered: @pages pinned long-term and charged */
DEFINE_EVENT(edudma_user_class, edudma_user_pin,
	     TP_PROTO(const struct edudma_buf *buf, unsigned long pages),
	     TP_ARGS(buf, pages));

/* its last reference gone: unpinned (dirtied if writable) and uncharged */
DEFINE_EVENT(edudma_user_class, edudma_user_unpin,
	     TP_PROTO(const struct edudma_buf *buf, unsigned long pages),
	     TP_ARGS(buf, pages));

/* a user mapping of [offset, offset + len) of a buffer */
TRACE_EVENT(edudma_buf_mmap,
	    TP_PROTO(int minor, u32 handle, u64 offset, u64 len),
	    TP_ARGS(minor, handle, offset, len),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, handle)
			     __field(u64, offset)
			     __field(u64, len)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->handle = handle;
			   __entry->offset = offset;
			   __entry->len = len;),
	    TP_printk("edudma%d buf=%u offset=%llu len=%llu", __entry->minor, __entry->handle,
		      __entry->offset, __entry->len)
);

/* EDUDMA_IOC_SYNC: the CPU's access brackets */
TRACE_EVENT(edudma_buf_sync,
	    TP_PROTO(int minor, u32 handle, u64 offset, u64 len, int dir, bool start),
	    TP_ARGS(minor, handle, offset, len, dir, start),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, handle)
			     __field(u64, offset)
			     __field(u64, len)
			     __field(int, dir)
			     __field(bool, start)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->handle = handle;
			   __entry->offset = offset;
			   __entry->len = len;
			   __entry->dir = dir;
			   __entry->start = start;),
	    TP_printk("edudma%d buf=%u offset=%llu len=%llu dir=%s %s", __entry->minor,
		      __entry->handle, __entry->offset, __entry->len,
		      __print_symbolic(__entry->dir, { 0, "bidirectional" }, { 1, "to_device" },
				       { 2, "from_device" }),
		      __entry->start ? "start" : "end")
);

/* a transfer queued: @file is the submitting file's id, @seq its number there */
TRACE_EVENT(edudma_xfer_queue,
	    TP_PROTO(int minor, u64 file, u64 seq, u32 op, u64 len, bool async),
	    TP_ARGS(minor, file, seq, op, len, async),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, op)
			     __field(u64, file)
			     __field(u64, seq)
			     __field(u64, len)
			     __field(bool, async)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->op = op;
			   __entry->file = file;
			   __entry->seq = seq;
			   __entry->len = len;
			   __entry->async = async;),
	    TP_printk("edudma%d file=%llu seq=%llu op=%s len=%llu%s", __entry->minor,
		      __entry->file, __entry->seq, edudma_trace_op(__entry->op), __entry->len,
		      __entry->async ? " async" : "")
);

/*
 * A DMA command started for transfer @seq of @file: the half of a chunk at
 * @pos it moves (@len bytes at bus address @addr, or through the driver's
 * bounce page), or a scrub of the window before that chunk
 */
TRACE_EVENT(edudma_cmd_start,
	    TP_PROTO(int minor, u64 file, u64 seq, u32 what, u64 pos, u32 len, u64 addr,
		     bool bounce),
	    TP_ARGS(minor, file, seq, what, pos, len, addr, bounce),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, what)
			     __field(u64, file)
			     __field(u64, seq)
			     __field(u64, pos)
			     __field(u64, addr)
			     __field(u32, len)
			     __field(bool, bounce)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->what = what;
			   __entry->file = file;
			   __entry->seq = seq;
			   __entry->pos = pos;
			   __entry->addr = addr;
			   __entry->len = len;
			   __entry->bounce = bounce;),
	    TP_printk("edudma%d file=%llu seq=%llu %s pos=%llu len=%u addr=0x%llx%s",
		      __entry->minor, __entry->file, __entry->seq, edudma_trace_cmd(__entry->what),
		      __entry->pos, __entry->len, __entry->addr, __entry->bounce ? " bounce" : "")
);

/* the command in flight completed (@err: 0, -ETIMEDOUT, -EIO) after @ns */
TRACE_EVENT(edudma_cmd_done,
	    TP_PROTO(int minor, u64 file, u64 seq, u32 what, int err, u64 ns),
	    TP_ARGS(minor, file, seq, what, err, ns),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, what)
			     __field(u64, file)
			     __field(u64, seq)
			     __field(u64, ns)
			     __field(int, err)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->what = what;
			   __entry->file = file;
			   __entry->seq = seq;
			   __entry->ns = ns;
			   __entry->err = err;),
	    TP_printk("edudma%d file=%llu seq=%llu %s err=%d ns=%llu", __entry->minor,
		      __entry->file, __entry->seq, edudma_trace_cmd(__entry->what), __entry->err,
		      __entry->ns)
);

/* @len bytes copied between a buffer and the bounce page */
TRACE_EVENT(edudma_bounce,
	    TP_PROTO(int minor, u64 file, u64 seq, bool to_device, u32 len),
	    TP_ARGS(minor, file, seq, to_device, len),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u64, file)
			     __field(u64, seq)
			     __field(u32, len)
			     __field(bool, to_device)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->file = file;
			   __entry->seq = seq;
			   __entry->len = len;
			   __entry->to_device = to_device;),
	    TP_printk("edudma%d file=%llu seq=%llu %s len=%u", __entry->minor, __entry->file,
		      __entry->seq, __entry->to_device ? "to_device" : "from_device", __entry->len)
);

/* the command in flight outlived timeout_ms; @state: 0 idle, 1 busy, 2 gone */
TRACE_EVENT(edudma_cmd_timeout,
	    TP_PROTO(int minor, u64 seq, s64 ms, int state),
	    TP_ARGS(minor, seq, ms, state),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(int, state)
			     __field(u64, seq)
			     __field(s64, ms)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->state = state;
			   __entry->seq = seq;
			   __entry->ms = ms;),
	    TP_printk("edudma%d seq=%llu after %lld ms, engine %s", __entry->minor, __entry->seq,
		      __entry->ms,
		      __print_symbolic(__entry->state, { 0, "idle" }, { 1, "busy" }, { 2, "gone" }))
);

/* a transfer finished: @status 0 or -errno, @commands, first start to last end */
TRACE_EVENT(edudma_xfer_done,
	    TP_PROTO(int minor, u64 file, u64 seq, int status, u64 commands, u64 len, u64 ns),
	    TP_ARGS(minor, file, seq, status, commands, len, ns),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(int, status)
			     __field(u64, file)
			     __field(u64, seq)
			     __field(u64, commands)
			     __field(u64, len)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->status = status;
			   __entry->file = file;
			   __entry->seq = seq;
			   __entry->commands = commands;
			   __entry->len = len;
			   __entry->ns = ns;),
	    TP_printk("edudma%d file=%llu seq=%llu status=%d commands=%llu len=%llu ns=%llu",
		      __entry->minor, __entry->file, __entry->seq, __entry->status,
		      __entry->commands, __entry->len, __entry->ns)
);

#endif /* _EDUDMA_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE edudma_trace
#include <trace/define_trace.h>
