/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma: the device object shared by the layers (PCI glue, edudma_main.c)
 * and the open file (char device, edudma_cdev.c). Each layer has its own
 * header: edudma_hw.h, edudma_buf.h, edudma_xfer.h, edudma_dmabuf.h.
 */
#ifndef EDUDMA_H
#define EDUDMA_H

#include <linux/bits.h>
#include <linux/cdev.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mm_types.h>
#include <linux/scatterlist.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <uapi/linux/edudma.h>

#include "edudma_buf.h"
#include "edudma_dmabuf.h"
#include "edudma_hw.h"
#include "edudma_xfer.h"

#define EDUDMA_MAX_DEVICES	64

/**
 * struct edudma_dev - one edu device and its /dev/edudmaN
 * @dev: the char device's struct device; its release frees this structure,
 *	so it lives until the last open file is gone, not until remove()
 * @cdev: the char device
 * @pdev: the PCI device; not to be used once @gone is set
 * @regs: BAR0; not to be used once @gone is set
 * @minor: N of /dev/edudmaN
 * @irq: Linux IRQ number
 * @irq_mode: EDUDMA_IRQ_MSI or EDUDMA_IRQ_INTX
 * @ident: the ident register, read at probe
 * @dma_bits: width of the DMA mask set at probe
 * @window: bytes one DMA command may move (EDU_WINDOW_SAFE, or
 *	EDU_WINDOW_SIZE with the full_window parameter)
 * @pci_domain: PCI domain, cached at probe
 * @pci_bus: PCI bus, cached at probe
 * @pci_devfn: PCI devfn, cached at probe
 * @gone_lock: protects @gone; held for reading by every call that touches
 *	the hardware, for writing by remove() to cut them off
 * @gone: the device was removed; every later call fails with -ENODEV
 * @wq: woken by the interrupt handler
 * @hup_wq: woken at remove() so that pollers see EPOLLHUP
 * @irq_lock: protects @irq_pending
 * @irq_pending: interrupt status bits acknowledged by the handler and not
 *	yet consumed by a waiter
 * @fact_lock: serializes the factorial unit
 * @live_lock: serializes a write of the liveness register and its read-back
 * @buf_lock: protects @bufs
 * @bufs: every live buffer of this device, for remove() to revoke
 * @bufs_wq: woken when a buffer leaves @bufs
 * @bufs_gen: counts buffers that left @bufs (under @buf_lock)
 * @offset_lock: serializes changes of @offsets and lookups in it
 * @offsets: mmap page offset -> buffer, a stretch of pages per buffer
 * @import_lock: protects @imports
 * @imports: the dma-bufs the device is attached to (struct edudma_imp)
 * @handle_ida: buffer handles, unique per device so that a handle's mmap
 *	offset names one buffer in the device node's address space
 * @stats_lock: protects @stats and @charged
 * @stats: counters reported by EDUDMA_IOC_STATS and sysfs
 * @charged: bytes of live buffers, checked against max_device_bytes
 * @xfer_lock: protects the transfer engine: @active, @cur, @in_flight,
 *	@stopping, @window_owner, @drop_irqs, @cmd_start, every open file's
 *	transfer lists and every queued request's progress
 * @active: open files with queued transfers, served round robin, one
 *	chunk at a time
 * @cur: the request whose DMA command (or scrub for it) is in flight, or NULL
 * @in_flight: a DMA command is running
 * @stopping: remove() is under way: no new command starts
 * @dead: the watchdog gave the device up (stuck or gone): every transfer
 *	fails with -EIO
 * @window_owner: id of the open file whose data is in the device window;
 *	0 when it holds zeroes, U64_MAX when unknown
 * @drop_irqs: fault injection (EDUDMA_FAULT_INJECTION builds only):
 *	completion interrupts still to ignore
 * @fake_dma_state: fault injection (EDUDMA_FAULT_INJECTION builds only):
 *	0, or the DMA engine reads busy for ever (1) or gone (2)
 * @submit_delay_ms: fault injection (EDUDMA_FAULT_INJECTION builds only):
 *	an async XFER sleeps this long after its request is queued, before it
 *	returns: widens the window in which a WAIT may reap (and free) it
 * @cmd_start: when the command in flight started
 * @cmd_scrub: the command in flight is a scrub of the window for @cur
 * @watchdog: fires when a command outlives timeout_ms
 * @bounce: coherent buffer: [0, PAGE_SIZE) bounce, then a page of zeroes
 * @bounce_dma: its bus address
 * @idle_wq: woken when the engine goes idle (remove, release)
 * @fence_ctx: dma-fence context of the device's transfers
 * @fence_seqno: last fence sequence number
 * @debugfs: the device's debugfs folder
 */
struct edudma_dev {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	int minor;
	int irq;
	u32 irq_mode;
	u32 ident;
	u32 dma_bits;
	u32 window;
	u32 pci_domain;
	u8 pci_bus;
	u8 pci_devfn;

	struct rw_semaphore gone_lock;	/* protects gone */
	bool gone;

	wait_queue_head_t wq;
	wait_queue_head_t hup_wq;
	spinlock_t irq_lock;		/* protects irq_pending */
	u32 irq_pending;

	struct mutex fact_lock;		/* serializes the factorial unit */
	spinlock_t live_lock;		/* serializes the liveness register */

	struct mutex buf_lock;		/* protects bufs */
	struct list_head bufs;
	wait_queue_head_t bufs_wq;
	unsigned long bufs_gen;
	struct mutex offset_lock;	/* serializes offsets */
	struct maple_tree offsets;
	struct mutex import_lock;	/* protects imports */
	struct list_head imports;
	struct ida handle_ida;

	spinlock_t stats_lock;		/* protects stats and charged */
	struct edudma_stats stats;
	u64 charged;

	spinlock_t xfer_lock;		/* protects the transfer engine */
	struct list_head active;
	struct edudma_xfer_req *cur;
	bool in_flight;
	bool stopping;
	bool dead;
	bool cmd_scrub;
	u64 window_owner;
	u32 drop_irqs;
	u32 fake_dma_state;
	u32 submit_delay_ms;
	ktime_t cmd_start;
	struct timer_list watchdog;
	void *bounce;
	dma_addr_t bounce_dma;
	wait_queue_head_t idle_wq;
	u64 fence_ctx;
	atomic64_t fence_seqno;
	struct dentry *debugfs;
};

/**
 * struct edudma_file - one open file of /dev/edudmaN
 * @ref: the open file holds one; the context goes with the last
 * @edu: the device; the context holds a reference on @edu->dev
 * @inode: the device node's inode
 * @bufs: handle -> struct edudma_buf; each entry holds a buffer reference
 * @nr_handles: entries in @bufs, at most max_file_handles (under the
 *	xarray's lock)
 * @quota: bytes of live buffers allocated through this file, checked
 *	against max_file_bytes; released when each buffer's last user goes
 * @xf: the file's transfers
 */
struct edudma_file {
	struct kref ref;
	struct edudma_dev *edu;
	struct inode *inode;
	struct xarray bufs;
	unsigned int nr_handles;
	struct edudma_quota *quota;
	struct edudma_xfer_file xf;
};

/* edudma_cdev.c: /dev/edudmaN */
extern const struct file_operations edudma_fops;
/* a checked transfer's buffers and fence, references held */
struct edudma_xfer_prep {
	struct edudma_buf *src;
	struct edudma_buf *dst;
	struct dma_fence *fence;
};

int edudma_xfer_prepare(struct edudma_file *ctx, const struct edudma_xfer *x, bool nowait,
			struct edudma_xfer_prep *p);
struct edudma_xfer_req *edudma_xfer_commit(struct edudma_file *ctx, struct edudma_xfer *x,
					   struct edudma_xfer_prep *p, bool nowait,
					   void (*notify)(struct edudma_xfer_req *req),
					   void *notify_data);
void edudma_xfer_end(struct edudma_xfer_req *req);

/* edudma_uring.c: IORING_OP_URING_CMD on /dev/edudmaN */
struct io_uring_cmd;
#ifdef CONFIG_IO_URING
int edudma_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
u64 edudma_uring_caps(void);
#else
#define edudma_uring_cmd NULL
static inline u64 edudma_uring_caps(void)
{
	return 0;
}
#endif

#endif /* EDUDMA_H */
