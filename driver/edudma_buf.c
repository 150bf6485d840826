// SPDX-License-Identifier: GPL-2.0
/*
 * edudma buffers: three backends behind one ops table (coherent, pages,
 * vmalloc-sg), the device's view of each buffer (DMA segments, with the
 * stretches the device cannot reach routed through the driver's bounce
 * path), CPU/device sync, mmap and the reference-counted lifetime.
 * Knows nothing of edu registers.
 *
 * A buffer is mapped for the device once, at allocation, for its whole
 * life: mapping failures surface at EDUDMA_IOC_ALLOC, not in the middle of
 * a transfer, and a transfer costs no mapping work (see docs/design.md).
 */
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "edudma.h"

/* AUTO takes a coherent buffer up to this size, scatter-gather above */
#define EDUDMA_AUTO_COHERENT_MAX	SZ_64K
#define EDUDMA_MAX_HANDLE		((1U << (63 - EDUDMA_MMAP_SHIFT)) - 1)

/* block orders of the PAGES backend, largest first */
static const unsigned int edudma_orders[] = { 8, 4, 0 };

static struct device *edudma_dma_dev(struct edudma_buf *buf)
{
	return &buf->edu->pdev->dev;
}

/* the DMA API goes through an IOMMU that can map any page for the device */
bool edudma_dma_translated(struct device *dev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	return dom && (dom->type & __IOMMU_DOMAIN_DMA_API);
}

/*
 * Without translation a bus address is the physical one (x86, no memory
 * encryption). Checked before mapping: dma-direct WARNs and fails for an
 * address above the mask when SWIOTLB is not active, as in the lab.
 */
static bool edudma_reachable(struct device *dev, phys_addr_t phys, u64 len)
{
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);

	return phys + len - 1 <= limit;
}

/* append a stretch to buf->dsegs, merging it with the last one if contiguous */
void edudma_buf_dseg_add(struct edudma_buf *buf, dma_addr_t addr, u64 len, u64 offset)
{
	struct edudma_dseg *last = buf->nr_dsegs ? &buf->dsegs[buf->nr_dsegs - 1] : NULL;
	bool bounce = addr == DMA_MAPPING_ERROR;

	if (bounce)
		buf->bounce_bytes += len;
	if (last && last->offset + last->len == offset &&
	    (bounce ? last->addr == DMA_MAPPING_ERROR :
		      last->addr != DMA_MAPPING_ERROR && last->addr + last->len == addr)) {
		last->len += len;
		return;
	}
	buf->dsegs[buf->nr_dsegs++] = (struct edudma_dseg){ addr, len, offset };
}

/* ---- COHERENT ------------------------------------------------------------ */

static int edudma_coh_alloc(struct edudma_buf *buf, gfp_t gfp)
{
	buf->cpu_addr = dma_alloc_coherent(edudma_dma_dev(buf), buf->size, &buf->dma_addr,
					   gfp | __GFP_NOWARN);
	return buf->cpu_addr ? 0 : -ENOMEM;
}

static int edudma_coh_map(struct edudma_buf *buf)
{
	buf->dsegs = kmalloc(sizeof(*buf->dsegs), GFP_KERNEL_ACCOUNT);
	if (!buf->dsegs)
		return -ENOMEM;
	edudma_buf_dseg_add(buf, buf->dma_addr, buf->size, 0);
	return 0;
}

static void edudma_coh_unmap(struct edudma_buf *buf)
{
}

static void edudma_coh_free(struct edudma_buf *buf)
{
	dma_free_coherent(edudma_dma_dev(buf), buf->size, buf->cpu_addr, buf->dma_addr);
	buf->cpu_addr = NULL;
}

static struct page *edudma_coh_page(struct edudma_buf *buf, u64 offset)
{
	void *va = buf->cpu_addr + offset;

	return is_vmalloc_addr(va) ? vmalloc_to_page(va) : virt_to_page(va);
}

/*
 * COHERENT memory goes back to the DMA API at remove(), so its mappings
 * must be revocable: pages are inserted at fault time, under buf->lock,
 * and remove() zaps them (later accesses: SIGBUS). Inserting them in
 * mmap() could race with the zap, before the VMA is visible to it.
 */
static vm_fault_t edudma_coh_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct edudma_buf *buf = vma->vm_private_data;
	u64 offset = ((u64)vmf->pgoff << PAGE_SHIFT) & (BIT_ULL(EDUDMA_MMAP_SHIFT) - 1);
	vm_fault_t ret;

	if (offset >= buf->size)
		return VM_FAULT_SIGBUS;
	mutex_lock(&buf->lock);
	if (buf->revoked)
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vma, vmf->address, page_to_pfn(edudma_coh_page(buf, offset)));
	mutex_unlock(&buf->lock);
	return ret;
}

static int edudma_coh_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset)
{
	vma->vm_flags |= VM_PFNMAP | VM_IO;
	return 0;
}

static const struct edudma_buf_ops edudma_coh_ops = {
	.alloc = edudma_coh_alloc,
	.map = edudma_coh_map,
	.unmap = edudma_coh_unmap,
	.free = edudma_coh_free,
	.mmap = edudma_coh_mmap,
};

/* ---- scatter-gather kinds (PAGES, VMALLOC_SG) ---------------------------- */

static int edudma_sg_map(struct edudma_buf *buf)
{
	struct device *dev = edudma_dma_dev(buf);
	struct scatterlist *sg;
	bool all = true;
	u64 offset = 0;
	unsigned int i;
	int ret;

	buf->dsegs = kvmalloc_array(buf->sgt.orig_nents, sizeof(*buf->dsegs), GFP_KERNEL_ACCOUNT);
	if (!buf->dsegs)
		return -ENOMEM;
	if (!edudma_dma_translated(dev)) {
		for_each_sgtable_sg(&buf->sgt, sg, i)
			all &= edudma_reachable(dev, sg_phys(sg), sg->length);
	}
	if (all) {
		ret = dma_map_sgtable(dev, &buf->sgt, DMA_BIDIRECTIONAL, 0);
		if (ret)
			goto err_free;
		buf->sgt_mapped = true;
		for_each_sgtable_dma_sg(&buf->sgt, sg, i) {
			edudma_buf_dseg_add(buf, sg_dma_address(sg), sg_dma_len(sg), offset);
			buf->need_sync |= dma_need_sync(dev, sg_dma_address(sg));
			offset += sg_dma_len(sg);
		}
		return 0;
	}
	/* some blocks are out of the device's reach: map the others one by one */
	for_each_sgtable_sg(&buf->sgt, sg, i)
		sg_dma_address(sg) = DMA_MAPPING_ERROR;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		dma_addr_t addr = DMA_MAPPING_ERROR;

		if (edudma_reachable(dev, sg_phys(sg), sg->length)) {
			addr = dma_map_page(dev, sg_page(sg), sg->offset, sg->length,
					    DMA_BIDIRECTIONAL);
			if (dma_mapping_error(dev, addr)) {
				ret = -ENOMEM;
				goto err_unmap;
			}
			sg_dma_address(sg) = addr;
			buf->need_sync |= dma_need_sync(dev, addr);
		}
		edudma_buf_dseg_add(buf, addr, sg->length, offset);
		offset += sg->length;
	}
	return 0;

err_unmap:
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (sg_dma_address(sg) != DMA_MAPPING_ERROR)
			dma_unmap_page(dev, sg_dma_address(sg), sg->length, DMA_BIDIRECTIONAL);
	}
err_free:
	kvfree(buf->dsegs);
	buf->dsegs = NULL;
	buf->nr_dsegs = 0;
	buf->bounce_bytes = 0;
	buf->need_sync = false;
	return ret;
}

static void edudma_sg_unmap(struct edudma_buf *buf)
{
	struct device *dev = edudma_dma_dev(buf);
	struct scatterlist *sg;
	unsigned int i;

	if (buf->sgt_mapped) {
		dma_unmap_sgtable(dev, &buf->sgt, DMA_BIDIRECTIONAL, 0);
		buf->sgt_mapped = false;
		return;
	}
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (sg_dma_address(sg) != DMA_MAPPING_ERROR)
			dma_unmap_page(dev, sg_dma_address(sg), sg->length, DMA_BIDIRECTIONAL);
		sg_dma_address(sg) = DMA_MAPPING_ERROR;
	}
}

/* insert the real pages, so that pinning users (O_DIRECT, ...) work */
static int edudma_sg_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset)
{
	unsigned long addr = vma->vm_start;
	struct scatterlist *sg;
	u64 pos = 0, k;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		for (k = 0; k < sg->length && addr < vma->vm_end; k += PAGE_SIZE) {
			pos += PAGE_SIZE;
			if (pos <= offset)
				continue;
			ret = vm_insert_page(vma, addr, nth_page(sg_page(sg), k >> PAGE_SHIFT));
			if (ret)
				return ret;
			addr += PAGE_SIZE;
		}
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

static int edudma_pages_alloc(struct edudma_buf *buf, gfp_t gfp)
{
	struct page *page, *tmp;
	struct scatterlist *sg;
	u64 left = buf->size;
	unsigned int nents = 0, i = 0;
	LIST_HEAD(blocks);
	int ret;

	while (left) {
		page = NULL;
		for (; i < ARRAY_SIZE(edudma_orders); i++) {
			unsigned int order = edudma_orders[i];
			gfp_t flags = gfp | __GFP_ZERO | __GFP_NOWARN;

			if (left < (PAGE_SIZE << order))
				continue;
			/* big blocks only if cheap; the last resort may fail but never OOM-kills */
			flags |= order ? __GFP_COMP | __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
			page = alloc_pages(flags, order);
			if (page)
				break;
		}
		if (!page) {
			ret = -ENOMEM;
			goto err_free;
		}
		list_add_tail(&page->lru, &blocks);
		left -= PAGE_SIZE << compound_order(page);
		nents++;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free;
		}
	}
	ret = sg_alloc_table(&buf->sgt, nents, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_free;
	sg = buf->sgt.sgl;
	list_for_each_entry_safe(page, tmp, &blocks, lru) {
		sg_set_page(sg, page, PAGE_SIZE << compound_order(page), 0);
		list_del(&page->lru);
		sg = sg_next(sg);
	}
	return 0;

err_free:
	list_for_each_entry_safe(page, tmp, &blocks, lru)
		__free_pages(page, compound_order(page));
	return ret;
}

static void edudma_pages_free(struct edudma_buf *buf)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(&buf->sgt, sg, i)
		__free_pages(sg_page(sg), compound_order(sg_page(sg)));
	sg_free_table(&buf->sgt);
}

static const struct edudma_buf_ops edudma_pages_ops = {
	.alloc = edudma_pages_alloc,
	.map = edudma_sg_map,
	.unmap = edudma_sg_unmap,
	.free = edudma_pages_free,
	.mmap = edudma_sg_mmap,
};

static int edudma_vmalloc_alloc(struct edudma_buf *buf, gfp_t gfp)
{
	unsigned long i, n = buf->size >> PAGE_SHIFT;
	struct page **pages;
	int ret;

	buf->cpu_addr = __vmalloc(buf->size, gfp | __GFP_ZERO | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!buf->cpu_addr)
		return -ENOMEM;
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		goto err_vfree;
	}
	for (i = 0; i < n; i++)
		pages[i] = vmalloc_to_page(buf->cpu_addr + (i << PAGE_SHIFT));
	ret = sg_alloc_table_from_pages_segment(&buf->sgt, pages, n, 0, buf->size,
						UINT_MAX & PAGE_MASK, GFP_KERNEL_ACCOUNT);
	kvfree(pages);
	if (ret)
		goto err_vfree;
	return 0;

err_vfree:
	vfree(buf->cpu_addr);
	buf->cpu_addr = NULL;
	return ret;
}

static void edudma_vmalloc_free(struct edudma_buf *buf)
{
	sg_free_table(&buf->sgt);
	vfree(buf->cpu_addr);
	buf->cpu_addr = NULL;
}

static const struct edudma_buf_ops edudma_vmalloc_ops = {
	.alloc = edudma_vmalloc_alloc,
	.map = edudma_sg_map,
	.unmap = edudma_sg_unmap,
	.free = edudma_vmalloc_free,
	.mmap = edudma_sg_mmap,
};

static const struct edudma_buf_ops *const edudma_buf_ops[EDUDMA_BUF_KINDS] = {
	[EDUDMA_BUF_COHERENT] = &edudma_coh_ops,
	[EDUDMA_BUF_PAGES] = &edudma_pages_ops,
	[EDUDMA_BUF_VMALLOC_SG] = &edudma_vmalloc_ops,
};

/* ---- accounting ----------------------------------------------------------- */

static int edudma_charge(struct edudma_file *ctx, u64 size)
{
	struct edudma_dev *edu = ctx->edu;
	int ret = 0;

	spin_lock(&ctx->lock);
	if (size > READ_ONCE(edudma_max_file_bytes) - min(ctx->charged, edudma_max_file_bytes))
		ret = -EDQUOT;
	else
		ctx->charged += size;
	spin_unlock(&ctx->lock);
	if (ret)
		return ret;
	spin_lock(&edu->stats_lock);
	if (size > READ_ONCE(edudma_max_device_bytes) - min(edu->charged, edudma_max_device_bytes))
		ret = -EDQUOT;
	else
		edu->charged += size;
	spin_unlock(&edu->stats_lock);
	if (ret) {
		spin_lock(&ctx->lock);
		ctx->charged -= size;
		spin_unlock(&ctx->lock);
	}
	return ret;
}

static void edudma_uncharge(struct edudma_file *ctx, u64 size)
{
	spin_lock(&ctx->lock);
	ctx->charged -= size;
	spin_unlock(&ctx->lock);
	spin_lock(&ctx->edu->stats_lock);
	ctx->edu->charged -= size;
	spin_unlock(&ctx->edu->stats_lock);
}

static void edudma_stats_count(struct edudma_dev *edu, u64 *counter)
{
	spin_lock(&edu->stats_lock);
	(*counter)++;
	spin_unlock(&edu->stats_lock);
}

static void edudma_stats_buf(struct edudma_buf *buf, bool add)
{
	struct edudma_stats *st = &buf->edu->stats;
	s64 sign = add ? 1 : -1;

	if (buf->kind >= EDUDMA_BUF_KINDS)
		return;		/* an import: the exporter's memory */
	spin_lock(&buf->edu->stats_lock);
	st->buffers[0] += sign;
	st->buffers[buf->kind] += sign;
	st->bytes[0] += sign * buf->size;
	st->bytes[buf->kind] += sign * buf->size;
	st->bounce_bytes += sign * buf->bounce_bytes;
	if (add) {
		st->allocs++;
		st->peak_bytes = max(st->peak_bytes, st->bytes[0]);
	}
	spin_unlock(&buf->edu->stats_lock);
}

/* ---- lifetime ------------------------------------------------------------- */

static int edudma_buf_try_kind(struct edudma_buf *buf, u32 kind)
{
	const struct edudma_buf_ops *ops = edudma_buf_ops[kind];
	int ret;

	buf->kind = kind;
	buf->ops = ops;
	ret = ops->alloc(buf, GFP_KERNEL_ACCOUNT);
	if (ret) {
		if (ret == -ENOMEM)
			edudma_stats_count(buf->edu, &buf->edu->stats.alloc_failures);
		return ret;
	}
	ret = ops->map(buf);
	if (ret) {
		edudma_stats_count(buf->edu, &buf->edu->stats.map_failures);
		ops->free(buf);
	}
	return ret;
}

/**
 * edudma_buf_new() - a buffer structure with a handle, not yet usable
 * @edu: the device
 * @size: bytes, page-aligned
 *
 * Return: the buffer, to be filled in and then given to edudma_buf_publish()
 * or edudma_buf_discard(); or ERR_PTR(-ENOMEM), ERR_PTR(-ENOSPC).
 */
struct edudma_buf *edudma_buf_new(struct edudma_dev *edu, u64 size)
{
	struct edudma_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	ret = ida_alloc_range(&edu->handle_ida, 1, EDUDMA_MAX_HANDLE, GFP_KERNEL);
	if (ret < 0) {
		kfree(buf);
		return ERR_PTR(ret);
	}
	buf->handle = ret;
	buf->edu = edu;
	buf->size = size;
	mutex_init(&buf->lock);
	return buf;
}

/**
 * edudma_buf_discard() - undo edudma_buf_new()
 * @buf: a buffer that was never published
 */
void edudma_buf_discard(struct edudma_buf *buf)
{
	ida_free(&buf->edu->handle_ida, buf->handle);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

/**
 * edudma_buf_publish() - make a filled-in buffer live, with one reference
 * @buf: from edudma_buf_new(), memory and device mapping in place
 * @ctx: the open file it belongs to (reference taken)
 * @inode: the device node (reference taken)
 */
void edudma_buf_publish(struct edudma_buf *buf, struct edudma_file *ctx, struct inode *inode)
{
	struct edudma_dev *edu = buf->edu;

	kref_init(&buf->ref);
	get_device(&edu->dev);
	kref_get(&ctx->ref);
	buf->owner = ctx;
	ihold(inode);
	buf->inode = inode;
	mutex_lock(&edu->buf_lock);
	list_add_tail(&buf->node, &edu->bufs);
	mutex_unlock(&edu->buf_lock);
	edudma_stats_buf(buf, true);
}

/**
 * edudma_buf_create() - allocate, zero, map and charge a buffer
 * @ctx: the open file that asks, charged for it
 * @size: bytes, 1..max_buffer_size (checked by the caller)
 * @kind: EDUDMA_BUF_*; AUTO falls back down the ladder on failure
 * @inode: the device node, whose address space the buffer's mappings use
 *
 * Return: the buffer with one reference, or an ERR_PTR: -EDQUOT (limits),
 * -ENOMEM, -EINTR (fatal signal), -ENOSPC (no handle left).
 */
struct edudma_buf *edudma_buf_create(struct edudma_file *ctx, u64 size, u32 kind,
				     struct inode *inode)
{
	static const u32 auto_small[] = { EDUDMA_BUF_COHERENT, EDUDMA_BUF_PAGES,
					  EDUDMA_BUF_VMALLOC_SG };
	static const u32 auto_large[] = { EDUDMA_BUF_PAGES, EDUDMA_BUF_VMALLOC_SG };
	const u32 *ladder = &kind;
	unsigned int steps = 1, i;
	struct edudma_buf *buf;
	int ret;

	size = PAGE_ALIGN(size);
	if (kind == EDUDMA_BUF_AUTO) {
		ladder = size <= EDUDMA_AUTO_COHERENT_MAX ? auto_small : auto_large;
		steps = size <= EDUDMA_AUTO_COHERENT_MAX ? ARRAY_SIZE(auto_small) :
							   ARRAY_SIZE(auto_large);
	}
	ret = edudma_charge(ctx, size);
	if (ret)
		return ERR_PTR(ret);
	buf = edudma_buf_new(ctx->edu, size);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto err_uncharge;
	}
	for (i = 0, ret = -ENOMEM; i < steps; i++) {
		ret = edudma_buf_try_kind(buf, ladder[i]);
		if (!ret || ret == -EINTR)
			break;
	}
	if (ret) {
		edudma_buf_discard(buf);
		goto err_uncharge;
	}
	buf->charged = size;
	edudma_buf_publish(buf, ctx, inode);
	return buf;

err_uncharge:
	edudma_uncharge(ctx, size);
	return ERR_PTR(ret);
}

static void edudma_buf_release(struct kref *ref)
{
	struct edudma_buf *buf = container_of(ref, struct edudma_buf, ref);
	struct edudma_dev *edu = buf->edu;

	/* under buf_lock so that remove() waits for the device side to go */
	mutex_lock(&edu->buf_lock);
	list_del(&buf->node);
	if (!buf->revoked) {
		buf->ops->unmap(buf);
		buf->ops->free(buf);
	} else if (buf->kind != EDUDMA_BUF_COHERENT) {
		buf->ops->free(buf);
	}
	mutex_unlock(&edu->buf_lock);

	edudma_stats_buf(buf, false);
	edudma_uncharge(buf->owner, buf->charged);
	ida_free(&edu->handle_ida, buf->handle);
	kvfree(buf->dsegs);
	iput(buf->inode);
	edudma_file_put(buf->owner);
	mutex_destroy(&buf->lock);
	kfree(buf);
	put_device(&edu->dev);
}

/**
 * edudma_buf_put() - drop a reference; the last one frees the buffer
 * @buf: the buffer (NULL is fine)
 *
 * Must be called in process context: freeing unmaps and may sleep.
 */
void edudma_buf_put(struct edudma_buf *buf)
{
	if (buf)
		kref_put(&buf->ref, edudma_buf_release);
}

/**
 * edudma_bufs_revoke() - take the device side of every buffer away
 * @edu: the device, being removed; no new buffer can appear
 *
 * Unmaps every buffer from the device, zaps user mappings of COHERENT
 * buffers and gives their memory back to the DMA API. Page-backed buffers
 * stay valid memory for their users until the last reference goes.
 */
void edudma_bufs_revoke(struct edudma_dev *edu)
{
	struct edudma_buf *buf;

	for (;;) {
		bool found = false;

		mutex_lock(&edu->buf_lock);
		list_for_each_entry(buf, &edu->bufs, node) {
			if (!buf->revoked && kref_get_unless_zero(&buf->ref)) {
				found = true;
				break;
			}
		}
		mutex_unlock(&edu->buf_lock);
		if (!found)
			return;
		mutex_lock(&buf->lock);
		buf->revoked = true;
		mutex_unlock(&buf->lock);
		if (buf->kind == EDUDMA_BUF_COHERENT)
			unmap_mapping_range(buf->inode->i_mapping,
					    (loff_t)buf->handle << EDUDMA_MMAP_SHIFT, buf->size, 1);
		mutex_lock(&edu->buf_lock);
		buf->ops->unmap(buf);
		if (buf->kind == EDUDMA_BUF_COHERENT)
			buf->ops->free(buf);
		mutex_unlock(&edu->buf_lock);
		edudma_buf_put(buf);
	}
}

/**
 * edudma_buf_sync() - CPU/device ownership of a range of a buffer
 * @buf: the buffer
 * @offset: first byte
 * @len: bytes (the range was checked by the caller)
 * @direction: EDUDMA_DIR_*
 * @for_cpu: true at the start of CPU access, false at its end
 *
 * Return: 0 (a coherent, unbounced mapping needs nothing).
 */
int edudma_buf_sync(struct edudma_buf *buf, u64 offset, u64 len, u32 direction, bool for_cpu)
{
	static const enum dma_data_direction dirs[] = {
		[EDUDMA_DIR_TO_DEVICE] = DMA_TO_DEVICE,
		[EDUDMA_DIR_FROM_DEVICE] = DMA_FROM_DEVICE,
		[EDUDMA_DIR_BIDIRECTIONAL] = DMA_BIDIRECTIONAL,
	};
	struct device *dev = edudma_dma_dev(buf);
	enum dma_data_direction dir = dirs[direction];
	struct scatterlist *sg;
	dma_addr_t addr;
	u64 pos = 0;
	unsigned int i;

	if (!buf->need_sync)
		return 0;
	if (buf->kind == EDUDMA_BUF_IMPORTED) {
		edudma_dmabuf_sync(buf, dir, for_cpu);
		return 0;
	}
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		u64 start = pos;

		pos += sg->length;
		if (pos <= offset || start >= offset + len)
			continue;
		addr = sg_dma_address(sg);
		if (buf->sgt_mapped && for_cpu)
			dma_sync_sg_for_cpu(dev, sg, 1, dir);
		else if (buf->sgt_mapped)
			dma_sync_sg_for_device(dev, sg, 1, dir);
		else if (addr != DMA_MAPPING_ERROR && for_cpu)
			dma_sync_single_for_cpu(dev, addr, sg->length, dir);
		else if (addr != DMA_MAPPING_ERROR)
			dma_sync_single_for_device(dev, addr, sg->length, dir);
	}
	return 0;
}

static void edudma_vm_open(struct vm_area_struct *vma)
{
	struct edudma_buf *buf = vma->vm_private_data;

	kref_get(&buf->ref);
}

static void edudma_vm_close(struct vm_area_struct *vma)
{
	edudma_buf_put(vma->vm_private_data);
}

static const struct vm_operations_struct edudma_sg_vm_ops = {
	.open = edudma_vm_open,
	.close = edudma_vm_close,
};

static const struct vm_operations_struct edudma_coh_vm_ops = {
	.open = edudma_vm_open,
	.close = edudma_vm_close,
	.fault = edudma_coh_fault,
};

/**
 * edudma_buf_mmap() - map @buf into @vma from byte @offset
 * @buf: the buffer; on success the VMA owns the caller's reference
 * @vma: a shared mapping whose range lies in the buffer (checked by the caller)
 * @offset: page-aligned offset into the buffer
 *
 * Return: 0 or -errno.
 */
int edudma_buf_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset)
{
	int ret;

	if (buf->kind == EDUDMA_BUF_IMPORTED)
		return edudma_dmabuf_mmap(buf, vma, offset);
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_private_data = buf;
	vma->vm_ops = buf->kind == EDUDMA_BUF_COHERENT ? &edudma_coh_vm_ops : &edudma_sg_vm_ops;
	mutex_lock(&buf->lock);
	ret = buf->revoked ? -ENODEV : buf->ops->mmap(buf, vma, offset);
	mutex_unlock(&buf->lock);
	return ret;
}
