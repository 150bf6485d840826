/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma internal definitions: the hardware layer (edudma_hw.c), the char
 * device (edudma_cdev.c) and the PCI glue (edudma_main.c).
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
#include <linux/mm_types.h>
#include <linux/scatterlist.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <uapi/linux/edudma.h>

#define EDUDMA_MAX_DEVICES	64

/* BAR0 registers of the edu device (QEMU docs/specs/edu.txt) */
#define EDU_REG_IDENT		0x00
#define EDU_REG_LIVENESS	0x04
#define EDU_REG_FACTORIAL	0x08
#define EDU_REG_STATUS		0x20
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_IDENT_MAGIC		0xed	/* low byte of the ident register */
#define EDU_STATUS_COMPUTING	BIT(0)
#define EDU_STATUS_FACT_IRQ	BIT(7)
#define EDU_IRQ_FACTORIAL	BIT(0)
#define EDU_IRQ_DMA		BIT(8)
#define EDU_DMA_CMD_START	BIT(0)
#define EDU_DMA_CMD_TO_RAM	BIT(1)
#define EDU_DMA_CMD_IRQ		BIT(2)

/* The device's own DMA buffer: 4096 bytes at this device address. */
#define EDU_WINDOW_ADDR		0x40000
/*
 * QEMU 7.2's range check is off by one and aborts QEMU for a transfer
 * that touches the window's last byte, so one command moves at most
 * 4095 bytes, always starting at the window's first byte.
 */
#define EDU_WINDOW_USABLE	4095

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
 * @cur: the request whose DMA command is in flight, or NULL
 * @in_flight: a DMA command is running
 * @stopping: remove() is under way: no new command starts
 * @window_owner: id of the open file whose data is in the device window;
 *	0 when it holds zeroes, U64_MAX when unknown
 * @drop_irqs: fault injection: completion interrupts still to ignore
 * @cmd_start: when the command in flight started
 * @cmd_scrub: the command in flight is a scrub, not part of @cur
 * @watchdog: fires when a command outlives timeout_ms
 * @bounce: coherent buffer: [0, PAGE_SIZE) bounce, then a page of zeroes
 * @bounce_dma: its bus address
 * @idle_wq: woken when the engine goes idle (remove, release)
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
	bool cmd_scrub;
	u64 window_owner;
	u32 drop_irqs;
	ktime_t cmd_start;
	struct timer_list watchdog;
	void *bounce;
	dma_addr_t bounce_dma;
	wait_queue_head_t idle_wq;
	struct dentry *debugfs;
};

/**
 * struct edudma_file - one open file of /dev/edudmaN
 * @ref: the file holds one reference, every buffer it allocated one
 * @edu: the device; the context holds a reference on @edu->dev
 * @inode: the device node's inode
 * @bufs: handle -> struct edudma_buf; each entry holds a buffer reference
 * @lock: protects @charged
 * @charged: bytes of live buffers allocated through this file, checked
 *	against max_file_bytes; released when each buffer's last user goes
 * @id: unique id, for the device window's owner
 * @pending: queued transfers, oldest first (edu->xfer_lock)
 * @done: finished transfers not yet reaped (edu->xfer_lock)
 * @active_node: in edu->active while @pending is not empty
 * @next_seq: sequence number of the next transfer
 * @nr_reqs: transfers queued or finished but not reaped (edu->xfer_lock)
 * @wq: woken when a transfer of this file finishes
 */
struct edudma_file {
	struct kref ref;
	struct edudma_dev *edu;
	struct inode *inode;
	struct xarray bufs;
	spinlock_t lock;		/* protects charged */
	u64 charged;
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
 * @ctx: the open file (NULL for the driver's own self-test)
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
 * @done: completed when it finishes
 */
struct edudma_xfer_req {
	struct list_head node;
	struct edudma_file *ctx;
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
	struct completion done;
};

/**
 * struct edudma_dseg - a stretch of a buffer as the device reaches it
 * @addr: bus address, or DMA_MAPPING_ERROR for a bounced stretch
 * @len: bytes
 * @offset: where the stretch starts in the buffer
 */
struct edudma_dseg {
	dma_addr_t addr;
	u64 len;
	u64 offset;
};

struct edudma_buf;
struct edudma_imp;
struct dma_buf;

/**
 * struct edudma_buf_ops - one buffer backend
 * @alloc: allocate and zero @buf->size bytes; fill @buf->sgt where the
 *	kind has pages
 * @map: map for the device, fill @buf->dsegs
 * @unmap: undo @map
 * @free: undo @alloc
 * @mmap: set up @vma for the buffer from byte @offset
 */
struct edudma_buf_ops {
	int (*alloc)(struct edudma_buf *buf, gfp_t gfp);
	int (*map)(struct edudma_buf *buf);
	void (*unmap)(struct edudma_buf *buf);
	void (*free)(struct edudma_buf *buf);
	int (*mmap)(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset);
};

/**
 * struct edudma_buf - a DMA buffer
 * @ref: the handle, every VMA and every user in progress hold one
 * @edu: the device (reference held on @edu->dev)
 * @owner: the open file that allocated it (reference held), charged for it
 * @node: in @edu->bufs
 * @ops: the backend
 * @kind: EDUDMA_BUF_COHERENT, _PAGES or _VMALLOC_SG
 * @handle: handle, unique on the device
 * @size: bytes, a multiple of PAGE_SIZE
 * @inode: the device node's inode (reference held): mappings of the
 *	buffer live in its address space
 * @lock: protects @revoked against the fault handler
 * @revoked: remove() took the device side and COHERENT memory away
 * @cpu_addr: COHERENT: kernel address; VMALLOC_SG: the vmalloc area
 * @dma_addr: COHERENT: bus address
 * @sgt: PAGES, VMALLOC_SG: the buffer's pages
 * @sgt_mapped: @sgt was mapped whole with dma_map_sgtable()
 * @dsegs: the device's view, merged where bus addresses are contiguous
 * @nr_dsegs: entries in @dsegs
 * @bounce_bytes: bytes of @dsegs without a bus address
 * @need_sync: CPU/device syncs do something for this mapping
 * @charged: bytes charged to @owner and the device (0 for an import)
 * @export: the buffer's dma-buf while its handle lives (reference held,
 *	under @lock): every EDUDMA_IOC_EXPORT of it returns this one
 * @dmabuf: IMPORTED: the dma-buf (reference held)
 * @imp: IMPORTED: the device's mapping of it (reference held), NULL once
 *	unmapped
 */
struct edudma_buf {
	struct kref ref;
	struct edudma_dev *edu;
	struct edudma_file *owner;
	struct list_head node;
	const struct edudma_buf_ops *ops;
	u32 kind;
	u32 handle;
	u64 size;
	struct inode *inode;
	struct mutex lock;		/* protects revoked */
	bool revoked;
	void *cpu_addr;
	dma_addr_t dma_addr;
	struct sg_table sgt;
	bool sgt_mapped;
	struct edudma_dseg *dsegs;
	unsigned int nr_dsegs;
	u64 bounce_bytes;
	bool need_sync;
	u64 charged;
	struct dma_buf *export;
	struct dma_buf *dmabuf;
	struct edudma_imp *imp;
};

extern unsigned int edudma_timeout_ms;
extern unsigned long edudma_max_buffer_size;
extern unsigned long edudma_max_file_bytes;
extern unsigned long edudma_max_device_bytes;

/* edudma_buf.c: buffers, their backends, mapping, sync, mmap, lifetime */
struct edudma_buf *edudma_buf_create(struct edudma_file *ctx, u64 size, u32 kind,
				     struct inode *inode);
struct edudma_buf *edudma_buf_new(struct edudma_dev *edu, u64 size);
void edudma_buf_discard(struct edudma_buf *buf);
void edudma_buf_publish(struct edudma_buf *buf, struct edudma_file *ctx, struct inode *inode);
void edudma_buf_dseg_add(struct edudma_buf *buf, dma_addr_t addr, u64 len, u64 offset);
bool edudma_dma_translated(struct device *dev);
void edudma_buf_put(struct edudma_buf *buf);
int edudma_buf_sync(struct edudma_buf *buf, u64 offset, u64 len, u32 direction, bool for_cpu);
int edudma_buf_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset);
void edudma_bufs_revoke(struct edudma_dev *edu);
void edudma_file_put(struct edudma_file *ctx);

/* edudma_dmabuf.c: buffers as dma-bufs, dma-bufs as buffers */
int edudma_dmabuf_export(struct edudma_buf *buf, struct dma_buf **out);
void edudma_dmabuf_unexport(struct edudma_buf *buf);
struct edudma_buf *edudma_dmabuf_import(struct edudma_file *ctx, int fd);
int edudma_dmabuf_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset);
void edudma_dmabuf_sync(struct edudma_buf *buf, enum dma_data_direction dir, bool for_cpu);

/* edudma_hw.c: registers, interrupts, factorial, liveness, one DMA command */
int edudma_hw_init(struct edudma_dev *edu);
void edudma_hw_quiesce(struct edudma_dev *edu);
u32 edudma_hw_irq_ack(struct edudma_dev *edu);
void edudma_hw_irq_deliver(struct edudma_dev *edu, u32 status);
int edudma_hw_factorial(struct edudma_dev *edu, u32 n, u32 *result);
u32 edudma_hw_liveness(struct edudma_dev *edu, u32 value);
int edudma_hw_dma_start(struct edudma_dev *edu, dma_addr_t ram, u32 len, bool to_ram);
bool edudma_hw_dma_busy(struct edudma_dev *edu);
bool edudma_hw_dma_wait_idle(struct edudma_dev *edu);
bool edudma_hw_dma_ack(struct edudma_dev *edu);

/* edudma_xfer.c: the transfer engine */
int edudma_xfer_init(struct edudma_dev *edu);
void edudma_xfer_shutdown(struct edudma_dev *edu);
irqreturn_t edudma_xfer_irq(int irq, void *data);
void edudma_xfer_file_init(struct edudma_file *ctx);
struct edudma_xfer_req *edudma_xfer_queue(struct edudma_file *ctx, const struct edudma_xfer *x,
					  struct edudma_buf *src, struct edudma_buf *dst,
					  dma_addr_t raw_src, dma_addr_t raw_dst);
int edudma_xfer_wait(struct edudma_xfer_req *req, unsigned long timeout);
void edudma_xfer_reap(struct edudma_xfer_req *req);
bool edudma_xfer_take(struct edudma_file *ctx, u64 seq, struct edudma_xfer_req **req);
bool edudma_xfer_file_ready(struct edudma_file *ctx);
void edudma_xfer_file_release(struct edudma_file *ctx);
int edudma_xfer_selftest(struct edudma_dev *edu, u64 *to_ns, u64 *from_ns);

/* edudma_cdev.c: /dev/edudmaN */
extern const struct file_operations edudma_fops;

#endif /* EDUDMA_H */
