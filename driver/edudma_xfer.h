/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma transfer engine (edudma_xfer.c): per-file queues, chunks,
 * the completion interrupt, window scrubs, watchdog, fences.
 */
#ifndef EDUDMA_XFER_H
#define EDUDMA_XFER_H

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/wait.h>

struct dentry;
struct dma_fence;
struct edudma_buf;
struct edudma_dev;
struct edudma_xfer;

/**
 * struct edudma_xfer_file - the transfers of one open file
 * @edu: the device
 * @id: unique id, for the device window's owner
 * @pending: queued transfers, oldest first (edu->xfer_lock)
 * @done: finished transfers not yet reaped (edu->xfer_lock)
 * @active_node: in edu->active while @pending is not empty
 * @next_seq: sequence number of the next transfer
 * @nr_reqs: transfers queued or finished but not reaped (edu->xfer_lock)
 * @wq: woken when a transfer of this file finishes
 */
struct edudma_xfer_file {
	struct edudma_dev *edu;
	u64 id;
	struct list_head pending;
	struct list_head done;
	struct list_head active_node;
	u64 next_seq;
	unsigned int nr_reqs;
	wait_queue_head_t wq;
};

/**
 * struct edudma_xfer_req - one transfer
 * @node: in its file's pending list, then in its done list
 * @xf: the open file's transfers (the self-test's own for it)
 * @owner_id: window owner id of the submitter
 * @seq: sequence number in @ctx
 * @op: EDUDMA_XFER_*
 * @src: source buffer (reference held), or NULL
 * @dst: destination buffer (reference held), or NULL
 * @raw_src: without @src: bus address of a source the device reaches
 * @raw_dst: without @dst: bus address of a destination
 * @src_off: offset of the range in @src
 * @dst_off: offset of the range in @dst
 * @len: bytes
 * @pos: bytes finished
 * @chunk: bytes of the chunk in flight
 * @second_half: COPY: the device to RAM half of the chunk is in flight
 * @cancelled: 0, or the errno to finish with at the next chunk boundary
 * @async: submitted with EDUDMA_XFER_ASYNC: reaped through EDUDMA_IOC_WAIT
 * @claimed: a waiter took it off the done list
 * @status: 0 or -errno, once finished
 * @commands: DMA commands issued for it
 * @t_start: its first command's start
 * @t_mid: COPY: when the first half of the chunk in flight completed
 * @t_end: its last command's completion
 * @fence: signalled when it finishes, or NULL (reference held)
 * @notify: called when it finishes, under edu->xfer_lock and maybe in hard
 *	interrupt context, or NULL (io_uring: edudma_uring.c)
 * @notify_data: for @notify
 * @done: completed when it finishes
 * @deadline: with timeout_ms, cancels it with -ETIMEDOUT; stopped before it
 *	is freed
 */
struct edudma_xfer_req {
	struct list_head node;
	struct edudma_xfer_file *xf;
	u64 owner_id;
	u64 seq;
	u32 op;
	struct edudma_buf *src;
	struct edudma_buf *dst;
	dma_addr_t raw_src;
	dma_addr_t raw_dst;
	u64 src_off;
	u64 dst_off;
	u64 len;
	u64 pos;
	u32 chunk;
	bool second_half;
	int cancelled;
	bool async;
	bool claimed;
	int status;
	u64 commands;
	ktime_t t_start;
	ktime_t t_mid;
	ktime_t t_end;
	struct dma_fence *fence;
	void (*notify)(struct edudma_xfer_req *req);
	void *notify_data;
	struct completion done;
	struct timer_list deadline;
};

/* a finished request's first command's start to its last command's completion */
static inline u64 edudma_xfer_device_ns(const struct edudma_xfer_req *req)
{
	return req->commands ? ktime_to_ns(ktime_sub(req->t_end, req->t_start)) : 0;
}

int edudma_xfer_init(struct edudma_dev *edu);
void edudma_xfer_shutdown(struct edudma_dev *edu);
irqreturn_t edudma_xfer_irq(int irq, void *data);
void edudma_xfer_file_init(struct edudma_xfer_file *xf, struct edudma_dev *edu);
struct edudma_xfer_req *edudma_xfer_queue(struct edudma_xfer_file *xf, const struct edudma_xfer *x,
					  struct edudma_buf *src, struct edudma_buf *dst,
					  dma_addr_t raw_src, dma_addr_t raw_dst,
					  struct dma_fence *fence,
					  void (*notify)(struct edudma_xfer_req *req),
					  void *notify_data, u64 *seq);
struct dma_fence *edudma_xfer_fence_new(struct edudma_dev *edu);
void edudma_xfer_fence_end(struct dma_fence *fence, int status);
void edudma_xfer_unclaim(struct edudma_xfer_req *req);
void edudma_xfer_cancel_notified(struct edudma_xfer_file *xf, void *data, int err);
void edudma_xfer_fini(struct edudma_dev *edu);
int edudma_xfer_wait(struct edudma_xfer_req *req);
void edudma_xfer_reap(struct edudma_xfer_req *req);
bool edudma_xfer_take(struct edudma_xfer_file *xf, u64 seq, struct edudma_xfer_req **req);
bool edudma_xfer_file_ready(struct edudma_xfer_file *xf);
void edudma_xfer_file_release(struct edudma_xfer_file *xf);
int edudma_xfer_selftest(struct edudma_dev *edu, u64 *to_ns, u64 *from_ns);
void edudma_xfer_debugfs(struct edudma_dev *edu, struct dentry *dir);

#endif /* EDUDMA_XFER_H */
