// SPDX-License-Identifier: GPL-2.0
/*
 * edudma transfer engine: a queue of transfers per open file, served round
 * robin one chunk at a time; each chunk fills the device window (4095
 * bytes) as far as the buffers' bus-address contiguity allows, and the
 * next command starts from the completion interrupt, so the engine never
 * idles while work is queued. Stretches of a buffer the device cannot
 * reach go through a bounce page. A watchdog fails a command whose
 * completion never comes. The device window is shared: a file reading it
 * after another file wrote it gets zeroes (the window is scrubbed first).
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_trace.h"

#define EDUDMA_MAX_REQS_PER_FILE	1024
/* a command still busy after this many timeouts is given up (with the device) */
#define EDUDMA_GIVE_UP			10
#define EDUDMA_OWNER_ZERO		0	/* the window holds zeroes */
#define EDUDMA_OWNER_UNKNOWN		U64_MAX	/* anything, e.g. at probe */

static atomic64_t edudma_owner_ids = ATOMIC64_INIT(EDUDMA_OWNER_ZERO);

static struct device *edudma_xfer_dev(struct edudma_dev *edu)
{
	return &edu->pdev->dev;
}

/*
 * Fences: a transfer that touches a dma-buf (an import, or an exported
 * buffer) publishes one in the dma-buf's reservation object, signalled
 * when the transfer finishes, so that other users of the dma-buf (poll()
 * on it, other importers) wait for it. A fence can outlive the device and
 * sit in another driver's dma-buf, so it carries its own lock and holds
 * the module (its ops are module code).
 */
struct edudma_fence {
	struct dma_fence base;
	spinlock_t lock;		/* the fence's */
};

static const char *edudma_fence_driver_name(struct dma_fence *fence)
{
	return KBUILD_MODNAME;
}

static const char *edudma_fence_timeline_name(struct dma_fence *fence)
{
	return "xfer";
}

static void edudma_fence_release(struct dma_fence *fence)
{
	dma_fence_free(fence);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops edudma_fence_ops = {
	.get_driver_name = edudma_fence_driver_name,
	.get_timeline_name = edudma_fence_timeline_name,
	.release = edudma_fence_release,
};

/**
 * edudma_xfer_fence_new() - a fence for a transfer about to be queued
 * @edu: the device
 *
 * Return: the fence (one reference), or NULL.
 */
struct dma_fence *edudma_xfer_fence_new(struct edudma_dev *edu)
{
	struct edudma_fence *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);

	if (!f)
		return NULL;
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &edudma_fence_ops, &f->lock, edu->fence_ctx,
		       atomic64_inc_return(&edu->fence_seqno));
	return &f->base;
}

/**
 * edudma_xfer_fence_end() - signal a fence with a transfer's status
 * @fence: the fence (NULL is fine)
 * @status: 0 or -errno
 */
void edudma_xfer_fence_end(struct dma_fence *fence, int status)
{
	if (!fence)
		return;
	if (status)
		dma_fence_set_error(fence, status);
	dma_fence_signal(fence);
}

/**
 * edudma_xfer_file_init() - set up an open file's transfer state
 * @xf: the file's transfer state
 * @edu: the device
 */
void edudma_xfer_file_init(struct edudma_xfer_file *xf, struct edudma_dev *edu)
{
	xf->edu = edu;
	xf->id = atomic64_inc_return(&edudma_owner_ids);
	INIT_LIST_HEAD(&xf->pending);
	INIT_LIST_HEAD(&xf->done);
	INIT_LIST_HEAD(&xf->active_node);
	init_waitqueue_head(&xf->wq);
	xf->next_seq = 1;
}

/*
 * One side of the next chunk: its bus address (DMA_MAPPING_ERROR when
 * bounced) and how far it may go the same way.
 */
static u64 edudma_side(struct edudma_buf *buf, u64 pos, u32 window, dma_addr_t raw,
		       dma_addr_t *addr)
{
	if (!buf) {
		*addr = raw + pos;
		return U64_MAX;
	}
	return edudma_buf_span(buf, pos, window, addr);
}

static bool edudma_has_src(u32 op)
{
	return op != EDUDMA_XFER_FROM_DEVICE;
}

static bool edudma_has_dst(u32 op)
{
	return op != EDUDMA_XFER_TO_DEVICE;
}

/* the next chunk of @req: its length, and the bus address of each side */
static u32 edudma_xfer_plan(struct edudma_xfer_req *req, dma_addr_t *src, dma_addr_t *dst)
{
	u32 window = req->xf->edu->window;
	u64 n = min_t(u64, req->len - req->pos, window);

	*src = DMA_MAPPING_ERROR;
	*dst = DMA_MAPPING_ERROR;
	if (edudma_has_src(req->op))
		n = min(n, edudma_side(req->src, req->src_off + req->pos, window, req->raw_src,
				       src));
	if (edudma_has_dst(req->op))
		n = min(n, edudma_side(req->dst, req->dst_off + req->pos, window, req->raw_dst,
				       dst));
	return n;
}

static void edudma_xfer_start_cmd(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram)
{
	lockdep_assert_held(&edu->xfer_lock);
	edu->cmd_start = ktime_get();
	edudma_hw_dma_start(edu, ram, len, to_ram);
	edu->in_flight = true;
	edu->stats.dma_commands++;
	mod_timer(&edu->watchdog, jiffies + msecs_to_jiffies(edudma_timeout_ms));
}

static void edudma_xfer_finish(struct edudma_dev *edu, struct edudma_xfer_req *req, int status)
{
	struct edudma_xfer_file *xf = req->xf;

	lockdep_assert_held(&edu->xfer_lock);
	req->status = status;
	req->t_end = ktime_get();
	trace_edudma_xfer_done(edu->minor, req->owner_id, req->seq, status, req->commands,
			       req->len, edudma_xfer_device_ns(req));
	list_move_tail(&req->node, &xf->done);
	if (list_empty(&xf->pending))
		list_del_init(&xf->active_node);
	edu->stats.xfers++;
	if (status)
		edu->stats.xfer_errors++;
	else
		edu->stats.xfer_bytes += req->len;
	edudma_xfer_fence_end(req->fence, status);
	/* before the waiters: one of them may free the request */
	if (req->notify)
		req->notify(req);
	complete_all(&req->done);
	wake_up_all(&xf->wq);
}

/* start the device to RAM half of a chunk: into the buffer or the bounce page */
static void edudma_xfer_start_from(struct edudma_dev *edu, struct edudma_xfer_req *req)
{
	dma_addr_t src, dst;

	edudma_xfer_plan(req, &src, &dst);
	if (req->dst)
		edudma_buf_dev_begin(req->dst, req->dst_off + req->pos, req->chunk,
				     DMA_FROM_DEVICE, edu->bounce);
	if (dst == DMA_MAPPING_ERROR)
		dst = edu->bounce_dma;
	trace_edudma_cmd_start(edu->minor, req->owner_id, req->seq, EDUDMA_CMD_FROM_DEVICE,
			       req->pos, req->chunk, dst, dst == edu->bounce_dma);
	edudma_xfer_start_cmd(edu, dst, req->chunk, true);
}

/* start the RAM to device half: from the buffer or through the bounce page */
static void edudma_xfer_start_to(struct edudma_dev *edu, struct edudma_xfer_req *req,
				 dma_addr_t src)
{
	if (req->src)
		edudma_buf_dev_begin(req->src, req->src_off + req->pos, req->chunk,
				     DMA_TO_DEVICE, edu->bounce);
	if (src == DMA_MAPPING_ERROR) {
		edu->stats.bounce_copies += req->chunk;
		trace_edudma_bounce(edu->minor, req->owner_id, req->seq, true, req->chunk);
		src = edu->bounce_dma;
	}
	edu->window_owner = req->owner_id;
	trace_edudma_cmd_start(edu->minor, req->owner_id, req->seq, EDUDMA_CMD_TO_DEVICE,
			       req->pos, req->chunk, src, src == edu->bounce_dma);
	edudma_xfer_start_cmd(edu, src, req->chunk, false);
}

/*
 * Would the next command of @req show it bytes another file wrote? The
 * window holds only its owner's bytes and zeroes: a read by anyone else,
 * and a write too short to cover the owner's bytes, need a scrub first.
 */
static bool edudma_xfer_window_foreign(struct edudma_dev *edu, struct edudma_xfer_req *req)
{
	lockdep_assert_held(&edu->xfer_lock);
	if (edu->window_owner == req->owner_id || edu->window_owner == EDUDMA_OWNER_ZERO)
		return false;
	return req->op == EDUDMA_XFER_FROM_DEVICE || req->chunk < edu->window;
}

/*
 * Start the next command if the engine is idle: the next chunk of the
 * first file in round-robin order, after a scrub of the window if that
 * chunk reads another file's data.
 */
static void edudma_xfer_next(struct edudma_dev *edu, ktime_t irq_time)
{
	struct edudma_xfer_req *req;
	struct edudma_xfer_file *xf;
	dma_addr_t src, dst;

	lockdep_assert_held(&edu->xfer_lock);
	if (edu->in_flight)
		return;
	for (;;) {
		if (list_empty(&edu->active))
			goto idle;
		xf = list_first_entry(&edu->active, struct edudma_xfer_file, active_node);
		req = list_first_entry(&xf->pending, struct edudma_xfer_req, node);
		if (edu->stopping)
			edudma_xfer_finish(edu, req, -ENODEV);
		else if (req->cancelled)
			edudma_xfer_finish(edu, req, req->cancelled);
		else if (edu->dead)
			edudma_xfer_finish(edu, req, -EIO);
		else
			break;
	}
	req->chunk = edudma_xfer_plan(req, &src, &dst);
	edu->cur = req;
	if (edudma_xfer_window_foreign(edu, req)) {
		/* for @req: if the scrub fails, so does @req */
		edu->cmd_scrub = true;
		edu->stats.scrubs++;
		trace_edudma_cmd_start(edu->minor, req->owner_id, req->seq, EDUDMA_CMD_SCRUB,
				       req->pos, edu->window, edu->bounce_dma + PAGE_SIZE, false);
		edudma_xfer_start_cmd(edu, edu->bounce_dma + PAGE_SIZE, edu->window, false);
		goto started;
	}
	if (!req->commands)
		req->t_start = ktime_get();
	if (req->op == EDUDMA_XFER_FROM_DEVICE)
		edudma_xfer_start_from(edu, req);
	else
		edudma_xfer_start_to(edu, req, src);
started:
	if (irq_time) {
		edu->stats.chain_ns += ktime_to_ns(ktime_sub(ktime_get(), irq_time));
		edu->stats.chained++;
	}
	return;
idle:
	wake_up_all(&edu->idle_wq);
}

/* what the command in flight for @req does: EDUDMA_CMD_* */
static u32 edudma_xfer_cmd_what(struct edudma_dev *edu, struct edudma_xfer_req *req)
{
	if (edu->cmd_scrub)
		return EDUDMA_CMD_SCRUB;
	if (req->op == EDUDMA_XFER_FROM_DEVICE || req->second_half)
		return EDUDMA_CMD_FROM_DEVICE;
	return EDUDMA_CMD_TO_DEVICE;
}

/*
 * The command in flight is over (@err: 0, or the watchdog's -ETIMEDOUT).
 * Return: true if it started the second half of a COPY chunk.
 */
static bool edudma_xfer_complete_cmd(struct edudma_dev *edu, ktime_t now, int err)
{
	struct edudma_xfer_req *req = edu->cur;
	dma_addr_t src, dst;

	lockdep_assert_held(&edu->xfer_lock);
	edu->in_flight = false;
	edu->stats.busy_ns += ktime_to_ns(ktime_sub(now, edu->cmd_start));
	edu->cur = NULL;
	trace_edudma_cmd_done(edu->minor, req->owner_id, req->seq, edudma_xfer_cmd_what(edu, req),
			      err, ktime_to_ns(ktime_sub(now, edu->cmd_start)));
	if (edu->cmd_scrub) {
		edu->cmd_scrub = false;
		edu->window_owner = err ? EDUDMA_OWNER_UNKNOWN : EDUDMA_OWNER_ZERO;
		/* the window is still another file's: the request cannot go on */
		if (err)
			edudma_xfer_finish(edu, req, err);
		return false;
	}
	req->commands++;
	if (err) {
		edu->window_owner = EDUDMA_OWNER_UNKNOWN;
		edudma_xfer_finish(edu, req, err);
		return false;
	}
	if (req->op == EDUDMA_XFER_FROM_DEVICE || req->second_half) {
		edudma_xfer_plan(req, &src, &dst);
		if (req->dst)
			edudma_buf_dev_end(req->dst, req->dst_off + req->pos, req->chunk,
					   DMA_FROM_DEVICE, edu->bounce);
		if (dst == DMA_MAPPING_ERROR) {
			edu->stats.bounce_copies += req->chunk;
			trace_edudma_bounce(edu->minor, req->owner_id, req->seq, false, req->chunk);
		}
	}
	if (req->op != EDUDMA_XFER_FROM_DEVICE && !req->second_half && req->src)
		edudma_buf_dev_end(req->src, req->src_off + req->pos, req->chunk, DMA_TO_DEVICE,
				   NULL);
	if (req->op == EDUDMA_XFER_COPY && !req->second_half && !edu->stopping) {
		/* the chunk is in the window: bring it back at once */
		req->second_half = true;
		req->t_mid = now;
		edu->cur = req;
		edudma_xfer_start_from(edu, req);
		return true;
	}
	req->second_half = false;
	req->pos += req->chunk;
	if (req->pos == req->len)
		edudma_xfer_finish(edu, req, 0);
	else if (edu->stopping)
		edudma_xfer_finish(edu, req, -ENODEV);
	else if (req->cancelled)
		edudma_xfer_finish(edu, req, req->cancelled);
	else
		list_move_tail(&req->xf->active_node, &edu->active);
	return false;
}

#ifdef EDUDMA_FAULT_INJECTION
static bool edudma_xfer_drop_irq(struct edudma_dev *edu)
{
	if (!edu->drop_irqs)
		return false;
	edu->drop_irqs--;
	return true;
}
#else
static bool edudma_xfer_drop_irq(struct edudma_dev *edu)
{
	return false;
}
#endif

/**
 * edudma_xfer_irq() - the device's interrupt handler (MSI and shared INTx)
 * @irq: the interrupt
 * @data: the struct edudma_dev
 *
 * Acknowledges the status under the engine lock, so that the watchdog and
 * the handler never both claim one completion, chains the next command
 * and passes factorial completions on.
 *
 * Return: IRQ_HANDLED if the device had raised anything.
 */
irqreturn_t edudma_xfer_irq(int irq, void *data)
{
	struct edudma_dev *edu = data;
	ktime_t now = ktime_get();
	u32 status;

	spin_lock(&edu->xfer_lock);
	status = edudma_hw_irq_ack(edu);
	if ((status & EDU_IRQ_DMA) && edudma_xfer_drop_irq(edu)) {
		/* fault injection (debug builds): as if the interrupt was lost */
	} else if ((status & EDU_IRQ_DMA) && edu->in_flight) {
		if (!edudma_xfer_complete_cmd(edu, now, 0))
			edudma_xfer_next(edu, now);
	}
	spin_unlock(&edu->xfer_lock);
	if (status & ~EDU_IRQ_DMA)
		edudma_hw_irq_deliver(edu, status & ~EDU_IRQ_DMA);
	return status ? IRQ_HANDLED : IRQ_NONE;
}

/*
 * A command outlived timeout_ms. The device cannot abort one, so one that
 * still runs is waited for, up to EDUDMA_GIVE_UP times the timeout; one
 * that never ends, or a device that reads all ones (gone), is given up
 * for good: bus mastering goes off, so that no late DMA reaches memory the
 * driver is about to free, and every transfer fails with -EIO from then on.
 */
static void edudma_xfer_watchdog(struct timer_list *t)
{
	struct edudma_dev *edu = edudma_timer_container_of(edu, t, watchdog);
	unsigned long limit = msecs_to_jiffies(edudma_timeout_ms), flags;
	ktime_t now = ktime_get();
	int state;
	s64 ms;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	if (!edu->in_flight)
		goto out_unlock;
	ms = ktime_ms_delta(now, edu->cmd_start);
	if (ms < edudma_timeout_ms) {
		mod_timer(&edu->watchdog, jiffies + limit);
		goto out_unlock;
	}
	state = edudma_hw_dma_state(edu);
	trace_edudma_cmd_timeout(edu->minor, edu->cur ? edu->cur->seq : 0, ms, state);
	switch (state) {
	case EDUDMA_HW_BUSY:
		if (ms < (s64)EDUDMA_GIVE_UP * edudma_timeout_ms) {
			mod_timer(&edu->watchdog, jiffies + limit);
			goto out_unlock;
		}
		fallthrough;
	case EDUDMA_HW_GONE:
		dev_err(&edu->dev, "DMA engine stuck or gone: giving up on the device\n");
		edu->dead = true;
		pci_clear_master(edu->pdev);
		break;
	case EDUDMA_HW_IDLE:
		edudma_hw_dma_ack(edu);
		break;
	}
	edu->stats.timeouts++;
	if (!edudma_xfer_complete_cmd(edu, now, edu->dead ? -EIO : -ETIMEDOUT))
		edudma_xfer_next(edu, 0);
out_unlock:
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
}

/* finish @req early with @err, or mark it to finish after its command */
static void edudma_xfer_cancel_locked(struct edudma_dev *edu, struct edudma_xfer_req *req,
				      int err)
{
	lockdep_assert_held(&edu->xfer_lock);
	if (edu->cur == req && edu->in_flight) {
		/* the first reason stands */
		if (!req->cancelled)
			req->cancelled = err;
	} else {
		edudma_xfer_finish(edu, req, err);
	}
}

/* the same, for a request that may have finished already */
static void edudma_xfer_cancel(struct edudma_xfer_req *req, int err)
{
	struct edudma_dev *edu = req->xf->edu;
	unsigned long flags;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	if (!completion_done(&req->done))
		edudma_xfer_cancel_locked(edu, req, err);
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
}

/* timeout_ms after its submission: edudma_xfer_reap() stops it before the free */
static void edudma_xfer_deadline(struct timer_list *t)
{
	struct edudma_xfer_req *req = edudma_timer_container_of(req, t, deadline);

	edudma_xfer_cancel(req, -ETIMEDOUT);
}

/**
 * edudma_xfer_queue() - queue a transfer and start the engine
 * @xf: the submitting file
 * @x: the validated request; its ranges lie in @src and @dst; a timeout_ms
 *	arms its deadline
 * @src: source buffer, reference passed to the request (or NULL)
 * @dst: destination buffer, reference passed to the request (or NULL)
 * @raw_src: without @src: bus address of a source (self-test)
 * @raw_dst: without @dst: bus address of a destination (self-test)
 * @fence: signalled when the transfer finishes (reference passed to the
 *	request), or NULL
 * @notify: called with the request when it finishes (see struct
 *	edudma_xfer_req), or NULL
 * @notify_data: stored in the request for @notify
 * @seq: out: the request's sequence number (an async request may be
 *	reaped, and freed, as soon as this returns)
 *
 * Return: the request, or an ERR_PTR (-ENOMEM, -EAGAIN, -EIO once the
 * device was given up); on error the caller keeps its buffer and fence
 * references.
 */
struct edudma_xfer_req *edudma_xfer_queue(struct edudma_xfer_file *xf, const struct edudma_xfer *x,
					  struct edudma_buf *src, struct edudma_buf *dst,
					  dma_addr_t raw_src, dma_addr_t raw_dst,
					  struct dma_fence *fence,
					  void (*notify)(struct edudma_xfer_req *req),
					  void *notify_data, u64 *seq)
{
	struct edudma_dev *edu = xf->edu;
	struct edudma_xfer_req *req;
	unsigned long flags;

	req = kzalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);
	if (!req)
		return ERR_PTR(-ENOMEM);
	req->xf = xf;
	req->owner_id = xf->id;
	req->op = x->op;
	req->src = src;
	req->dst = dst;
	req->raw_src = raw_src;
	req->raw_dst = raw_dst;
	req->src_off = x->src_offset;
	req->dst_off = x->dst_offset;
	req->len = x->length;
	req->async = x->flags & EDUDMA_XFER_ASYNC;
	init_completion(&req->done);
	timer_setup(&req->deadline, edudma_xfer_deadline, 0);
	req->fence = fence;
	req->notify = notify;
	req->notify_data = notify_data;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	if (edu->dead || xf->nr_reqs >= EDUDMA_MAX_REQS_PER_FILE) {
		spin_unlock_irqrestore(&edu->xfer_lock, flags);
		kfree(req);
		return ERR_PTR(edu->dead ? -EIO : -EAGAIN);
	}
	xf->nr_reqs++;
	req->seq = xf->next_seq++;
	*seq = req->seq;
	list_add_tail(&req->node, &xf->pending);
	if (list_empty(&xf->active_node))
		list_add_tail(&xf->active_node, &edu->active);
	trace_edudma_xfer_queue(edu->minor, req->owner_id, req->seq, req->op, req->len, req->async);
	if (x->timeout_ms)
		mod_timer(&req->deadline, jiffies + msecs_to_jiffies(x->timeout_ms));
	edudma_xfer_next(edu, 0);
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	return req;
}

/**
 * edudma_xfer_cancel_notified() - cancel @xf's unfinished transfer whose
 *	notify_data is @data, if there is one (io_uring's cancellation)
 * @xf: the file
 * @data: the notify_data it was queued with
 * @err: the errno it finishes with
 */
void edudma_xfer_cancel_notified(struct edudma_xfer_file *xf, void *data, int err)
{
	struct edudma_dev *edu = xf->edu;
	struct edudma_xfer_req *req;
	unsigned long flags;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	list_for_each_entry(req, &xf->pending, node) {
		if (req->notify_data == data) {
			edudma_xfer_cancel_locked(edu, req, err);
			break;
		}
	}
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
}

/**
 * edudma_xfer_wait() - wait for a transfer the caller owns
 * @req: the request
 *
 * On a fatal signal the transfer is cancelled; either way it is finished
 * (no command of it in flight) when this returns.
 *
 * Return: the transfer's status (-ETIMEDOUT past its deadline), or -EINTR.
 */
int edudma_xfer_wait(struct edudma_xfer_req *req)
{
	if (!wait_for_completion_killable(&req->done))
		return req->status;
	edudma_xfer_cancel(req, -ECANCELED);
	/* at most the command in flight: the watchdog bounds it */
	wait_for_completion(&req->done);
	return req->status ? -EINTR : 0;
}

/**
 * edudma_xfer_reap() - forget a finished transfer: drop its buffers, free it
 * @req: a finished request, no longer on any list the waiters search
 */
void edudma_xfer_reap(struct edudma_xfer_req *req)
{
	struct edudma_dev *edu = req->xf->edu;
	unsigned long flags;

	timer_delete_sync(&req->deadline);
	spin_lock_irqsave(&edu->xfer_lock, flags);
	list_del(&req->node);
	req->xf->nr_reqs--;
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	edudma_buf_put(req->src);
	edudma_buf_put(req->dst);
	if (req->fence)
		dma_fence_put(req->fence);
	kfree(req);
}

/**
 * edudma_xfer_take() - claim a finished async transfer of @xf
 * @xf: the file
 * @seq: its sequence number, or 0 for the oldest finished one
 * @req: out: the claimed request (taken off the done list), or NULL
 *
 * Return: true if @req was claimed, or if there is nothing to wait for
 * (@req NULL: no such transfer outstanding).
 */
bool edudma_xfer_take(struct edudma_xfer_file *xf, u64 seq, struct edudma_xfer_req **req)
{
	struct edudma_dev *edu = xf->edu;
	struct edudma_xfer_req *r;
	bool outstanding = false;
	unsigned long flags;

	*req = NULL;
	spin_lock_irqsave(&edu->xfer_lock, flags);
	list_for_each_entry(r, &xf->done, node) {
		if (r->async && !r->claimed && (!seq || r->seq == seq)) {
			r->claimed = true;
			*req = r;
			goto out_unlock;
		}
	}
	list_for_each_entry(r, &xf->pending, node)
		outstanding |= r->async && (!seq || r->seq == seq);
out_unlock:
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	return *req || !outstanding;
}

/**
 * edudma_xfer_unclaim() - put back a request edudma_xfer_take() claimed
 * @req: the request, still finished and unreaped
 */
void edudma_xfer_unclaim(struct edudma_xfer_req *req)
{
	struct edudma_dev *edu = req->xf->edu;
	unsigned long flags;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	req->claimed = false;
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	wake_up_all(&req->xf->wq);
}

/**
 * edudma_xfer_file_ready() - does @xf have a finished async transfer?
 * @xf: the file
 *
 * Return: true if EDUDMA_IOC_WAIT would not sleep.
 */
bool edudma_xfer_file_ready(struct edudma_xfer_file *xf)
{
	struct edudma_dev *edu = xf->edu;
	struct edudma_xfer_req *r;
	unsigned long flags;
	bool ready = false;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	list_for_each_entry(r, &xf->done, node)
		ready |= r->async && !r->claimed;
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	return ready;
}

static bool edudma_xfer_idle_for(struct edudma_xfer_file *xf)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&xf->edu->xfer_lock, flags);
	idle = list_empty(&xf->pending);
	spin_unlock_irqrestore(&xf->edu->xfer_lock, flags);
	return idle;
}

/**
 * edudma_xfer_file_release() - cancel and reap every transfer of a file
 * @xf: the file, being closed (so no ioctl of it is running)
 */
void edudma_xfer_file_release(struct edudma_xfer_file *xf)
{
	struct edudma_dev *edu = xf->edu;
	struct edudma_xfer_req *req, *tmp;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&edu->xfer_lock, flags);
	list_for_each_entry_safe(req, tmp, &xf->pending, node)
		edudma_xfer_cancel_locked(edu, req, -ECANCELED);
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	/* the command in flight, if one of ours, ends within the watchdog's bound */
	wait_event(xf->wq, edudma_xfer_idle_for(xf));
	list_for_each_entry_safe(req, tmp, &xf->done, node)
		edudma_xfer_reap(req);
}

/**
 * edudma_xfer_selftest() - one DMA round trip of a full window
 * @edu: the device (the caller holds gone_lock for reading)
 * @to_ns: time of the RAM to device command
 * @from_ns: time of the device to RAM command
 *
 * Sends a pattern from a coherent buffer to the device window through the
 * transfer engine, reads the window back into the buffer's other half and
 * compares.
 *
 * Return: 0, -ENOMEM, -EINTR, -ETIMEDOUT, -ENODEV, or -EIO on a mismatch.
 */
int edudma_xfer_selftest(struct edudma_dev *edu, u64 *to_ns, u64 *from_ns)
{
	struct edudma_xfer x = { .length = edu->window };
	struct device *dev = edudma_xfer_dev(edu);
	struct edudma_xfer_req *req;
	struct edudma_xfer_file *xf;
	dma_addr_t dma;
	int ret, i;
	u8 *buf;

	xf = kzalloc(sizeof(*xf), GFP_KERNEL);
	if (!xf)
		return -ENOMEM;
	edudma_xfer_file_init(xf, edu);
	buf = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &dma, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out_free_ctx;
	}
	for (i = 0; i < edu->window; i++)
		buf[i] = (u8)(i * 7 + 3 + (i >> 8));
	/* one COPY: its two halves run back to back, nobody else's chunk between */
	x.op = EDUDMA_XFER_COPY;
	req = edudma_xfer_queue(xf, &x, NULL, NULL, dma, dma + PAGE_SIZE, NULL, NULL, NULL,
				&x.seq);
	if (IS_ERR(req)) {
		ret = PTR_ERR(req);
		goto out_free_buf;
	}
	ret = edudma_xfer_wait(req);
	*to_ns = ktime_to_ns(ktime_sub(req->t_mid, req->t_start));
	*from_ns = ktime_to_ns(ktime_sub(req->t_end, req->t_mid));
	edudma_xfer_reap(req);
	if (!ret && memcmp(buf, buf + PAGE_SIZE, edu->window)) {
		dev_err(&edu->dev, "selftest: data read back differs\n");
		ret = -EIO;
	}
out_free_buf:
	dma_free_coherent(dev, 2 * PAGE_SIZE, buf, dma);
out_free_ctx:
	kfree(xf);
	return ret;
}

static const char *const edudma_op_names[] = { "none", "to_device", "from_device", "copy" };
static const char *const edudma_cmd_names[] = { "none", "to_device", "from_device", "scrub" };

/* debugfs edudma/edudmaN/state: the engine as it is now, read-only */
static int edudma_state_show(struct seq_file *m, void *unused)
{
	struct edudma_dev *edu = m->private;
	struct edudma_xfer_file *xf;
	struct edudma_xfer_req *req;
	unsigned long flags;
	unsigned int files = 0;
	u64 copies;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	seq_printf(m, "engine: %s%s%s\n", edu->in_flight ? "busy" : "idle",
		   edu->dead ? ", given up" : "", edu->stopping ? ", stopping" : "");
	req = edu->cur;
	if (edu->in_flight && req)
		seq_printf(m, "in flight: file %llu seq %llu %s %s pos %llu chunk %u, for %lld us\n",
			   req->owner_id, req->seq, edudma_op_names[req->op & 3],
			   edudma_cmd_names[edudma_xfer_cmd_what(edu, req)], req->pos, req->chunk,
			   ktime_us_delta(ktime_get(), edu->cmd_start));
	else
		seq_puts(m, "in flight: none\n");
	if (edu->window_owner == EDUDMA_OWNER_ZERO)
		seq_puts(m, "window: zeroes\n");
	else if (edu->window_owner == EDUDMA_OWNER_UNKNOWN)
		seq_puts(m, "window: unknown (scrubbed before anyone reads it)\n");
	else
		seq_printf(m, "window: file %llu's data\n", edu->window_owner);
	list_for_each_entry(xf, &edu->active, active_node) {
		unsigned int pending = 0;

		list_for_each_entry(req, &xf->pending, node)
			pending++;
		seq_printf(m, "queue: file %llu pending %u outstanding %u\n", xf->id, pending,
			   xf->nr_reqs);
		files++;
	}
	seq_printf(m, "active files: %u\n", files);
	copies = edu->stats.bounce_copies;	/* the engine counts it, under xfer_lock */
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	spin_lock(&edu->stats_lock);
	seq_printf(m, "bounce: %llu bytes of buffers bounced, %llu bytes copied\n",
		   edu->stats.bounce_bytes, copies);
	spin_unlock(&edu->stats_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edudma_state);

/**
 * edudma_xfer_debugfs() - the device's read-only state file in @dir
 * @edu: the device
 * @dir: its debugfs folder
 */
void edudma_xfer_debugfs(struct edudma_dev *edu, struct dentry *dir)
{
	debugfs_create_file("state", 0400, dir, edu, &edudma_state_fops);
}

/**
 * edudma_xfer_init() - set up the engine of a device at probe
 * @edu: the device
 *
 * Return: 0 or -ENOMEM.
 */
int edudma_xfer_init(struct edudma_dev *edu)
{
	spin_lock_init(&edu->xfer_lock);
	INIT_LIST_HEAD(&edu->active);
	init_waitqueue_head(&edu->idle_wq);
	timer_setup(&edu->watchdog, edudma_xfer_watchdog, 0);
	edu->fence_ctx = dma_fence_context_alloc(1);
	/* the window's content is unknown: it survives driver reloads */
	edu->window_owner = EDUDMA_OWNER_UNKNOWN;
	/* one bounce page, then a page of zeroes to scrub the window with */
	edu->bounce = dma_alloc_coherent(edudma_xfer_dev(edu), 2 * PAGE_SIZE, &edu->bounce_dma,
					 GFP_KERNEL);
	return edu->bounce ? 0 : -ENOMEM;
}

/**
 * edudma_xfer_shutdown() - fail queued transfers and stop the engine
 * @edu: the device, being removed (no new transfer can be queued)
 *
 * Waits for the command in flight, which the device cannot abort, as long
 * as the watchdog lets it run; then nothing of the engine runs any more.
 * Runs at remove() and at shutdown. The bounce page stays until
 * edudma_xfer_fini(), after bus mastering is off.
 */
void edudma_xfer_shutdown(struct edudma_dev *edu)
{
	unsigned long flags;

	spin_lock_irqsave(&edu->xfer_lock, flags);
	edu->stopping = true;
	edudma_xfer_next(edu, 0);
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	/* the watchdog ends even a stuck command within EDUDMA_GIVE_UP timeouts */
	wait_event(edu->idle_wq, !READ_ONCE(edu->in_flight));
	timer_delete_sync(&edu->watchdog);
}

/**
 * edudma_xfer_fini() - free the engine's bounce page
 * @edu: the device, its engine shut down, bus mastering off and its
 *	interrupt gone or quiet: nothing can touch the page any more
 */
void edudma_xfer_fini(struct edudma_dev *edu)
{
	if (!edu->bounce)
		return;
	dma_free_coherent(edudma_xfer_dev(edu), 2 * PAGE_SIZE, edu->bounce, edu->bounce_dma);
	edu->bounce = NULL;
}
