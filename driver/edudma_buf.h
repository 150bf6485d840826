/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma buffer layer (edudma_buf.c; the import backend is in
 * edudma_dmabuf.c): buffers, their backends, the device's view of them,
 * syncs and bounce copies for the transfer engine, mmap, quotas, lifetime.
 * Calls nothing above it.
 */
#ifndef EDUDMA_BUF_H
#define EDUDMA_BUF_H

#include <linux/dma-direction.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dma_buf;
struct edudma_dev;
struct edudma_imp;
struct edudma_user;
struct inode;
struct vm_area_struct;

/**
 * struct edudma_dseg - a stretch of a buffer as the device reaches it
 * @addr: bus address, or DMA_MAPPING_ERROR for a bounced stretch
 * @len: bytes
 * @offset: where the stretch starts in the buffer
 * @page: a bounced stretch's first page (its pages are contiguous)
 * @page_off: where in @page a bounced stretch starts (registered user
 *	memory may start mid-page)
 */
struct edudma_dseg {
	dma_addr_t addr;
	u64 len;
	u64 offset;
	struct page *page;
	unsigned int page_off;
};

/**
 * struct edudma_quota - bytes of live buffers charged to one open file
 * @ref: the file and each of its charged buffers hold one
 * @lock: protects @bytes
 * @bytes: checked against max_file_bytes
 */
struct edudma_quota {
	struct kref ref;
	spinlock_t lock;		/* protects bytes */
	u64 bytes;
};

struct edudma_buf;

/**
 * struct edudma_buf_ops - one buffer backend
 * @alloc: allocate and zero @buf->size bytes; fill @buf->sgt where the
 *	kind has pages
 * @map: map for the device, fill @buf->dsegs
 * @unmap: undo @map
 * @free: undo @alloc
 * @mmap: set up @vma for the buffer from byte @offset
 * @cpu_access: optional: CPU access brackets done by someone else (an
 *	import's exporter) instead of syncs of the buffer's own mapping
 */
struct edudma_buf_ops {
	int (*alloc)(struct edudma_buf *buf, gfp_t gfp);
	int (*map)(struct edudma_buf *buf);
	void (*unmap)(struct edudma_buf *buf);
	void (*free)(struct edudma_buf *buf);
	int (*mmap)(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset);
	int (*cpu_access)(struct edudma_buf *buf, enum dma_data_direction dir, bool for_cpu);
};

/**
 * struct edudma_buf - a DMA buffer
 * @ref: the handle, every VMA and every user in progress hold one
 * @edu: the device (reference held on @edu->dev)
 * @quota: the quota of the open file that allocated it (reference held),
 *	NULL for an import
 * @node: in @edu->bufs
 * @ops: the backend
 * @kind: EDUDMA_BUF_COHERENT, _PAGES, _VMALLOC_SG, _IMPORTED or _USER
 * @handle: handle, unique on the device
 * @mmap_pgoff: first page of its stretch of the device node's mmap offsets,
 *	0 for a buffer that cannot be mapped (USER)
 * @size: bytes, a multiple of PAGE_SIZE (USER: the registered length)
 * @inode: the device node's inode (reference held): mappings of the
 *	buffer live in its address space
 * @lock: protects @revoked against the fault handler, @export and
 *	@unexported
 * @revoked: remove() took the device side and COHERENT memory away
 * @unexported: the handle is gone: no dma-buf may be made any more
 * @readonly: an import whose dma-buf was opened read-only, or user memory
 *	registered read-only: the device may read it, never write it
 * @cpu_addr: COHERENT: kernel address; VMALLOC_SG: the vmalloc area
 * @dma_addr: COHERENT: bus address
 * @sgt: PAGES, VMALLOC_SG, USER: the buffer's pages
 * @sgt_mapped: @sgt was mapped whole with dma_map_sgtable()
 * @dsegs: the device's view, merged where bus addresses are contiguous
 * @nr_dsegs: entries in @dsegs
 * @bounce_bytes: bytes of @dsegs without a bus address
 * @need_sync: CPU/device syncs do something for this mapping
 * @charged: bytes charged to @quota and the device (0 for an import)
 * @export: the buffer's dma-buf while its handle lives (reference held,
 *	under @lock): every EDUDMA_IOC_EXPORT of it returns this one
 * @dmabuf: IMPORTED: the dma-buf (reference held)
 * @imp: IMPORTED: the device's mapping of it (reference held), NULL once
 *	unmapped
 * @user: USER: the pinned pages and the mm charged for them
 */
struct edudma_buf {
	struct kref ref;
	struct edudma_dev *edu;
	struct edudma_quota *quota;
	struct list_head node;
	const struct edudma_buf_ops *ops;
	u32 kind;
	u32 handle;
	unsigned long mmap_pgoff;
	u64 size;
	struct inode *inode;
	struct mutex lock;		/* protects revoked, export, unexported */
	bool revoked;
	bool unexported;
	bool readonly;
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
	struct edudma_user *user;
};

extern unsigned int edudma_timeout_ms;
extern unsigned long edudma_max_buffer_size;
extern unsigned long edudma_max_file_bytes;
extern unsigned long edudma_max_device_bytes;
extern unsigned int edudma_max_file_handles;

struct edudma_quota *edudma_quota_new(void);
void edudma_quota_put(struct edudma_quota *quota);
struct edudma_buf *edudma_buf_create(struct edudma_dev *edu, struct edudma_quota *quota,
				     u64 size, u32 kind, struct inode *inode);
struct edudma_buf *edudma_buf_new(struct edudma_dev *edu, u64 size, bool mappable);
void edudma_buf_discard(struct edudma_buf *buf);
void edudma_buf_publish(struct edudma_buf *buf, struct edudma_quota *quota, struct inode *inode);
void edudma_dseg_add(struct edudma_dseg *segs, unsigned int *nr, const struct edudma_dseg *s,
		     bool merge_mapped);
bool edudma_dma_translated(struct device *dev);
unsigned int edudma_max_seg(struct device *dev);
int edudma_sg_map(struct edudma_buf *buf);
void edudma_sg_unmap(struct edudma_buf *buf);
struct edudma_buf *edudma_buf_lookup(struct edudma_dev *edu, unsigned long pgoff,
				     bool (*owns)(struct edudma_buf *buf, void *data), void *data);
void edudma_buf_put(struct edudma_buf *buf);
int edudma_buf_sync(struct edudma_buf *buf, u64 offset, u64 len, enum dma_data_direction dir,
		    bool for_cpu);
u64 edudma_buf_span(const struct edudma_buf *buf, u64 pos, u64 max, dma_addr_t *addr);
void edudma_buf_dev_begin(struct edudma_buf *buf, u64 pos, u32 len,
			  enum dma_data_direction dir, void *bounce);
void edudma_buf_dev_end(struct edudma_buf *buf, u64 pos, u32 len,
			enum dma_data_direction dir, void *bounce);
int edudma_buf_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset,
		    bool via_dmabuf);
void edudma_bufs_revoke(struct edudma_dev *edu);
struct edudma_buf *edudma_user_register(struct edudma_dev *edu, u64 addr, u64 len,
					bool writable, struct inode *inode);

#endif /* EDUDMA_BUF_H */
