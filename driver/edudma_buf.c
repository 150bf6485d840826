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
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_trace.h"

/* AUTO takes a coherent buffer up to this size, scatter-gather above */
#define EDUDMA_AUTO_COHERENT_MAX	SZ_64K
#define EDUDMA_MAX_HANDLE		INT_MAX
/*
 * mmap offsets, in pages: from 2^32 bytes (as DRM's fake offsets), so that
 * a caller that truncates the offset to a 32-bit off_t fails at once rather
 * than past 4 GiB of buffers; below 2^32 pages (2^44 bytes), so that a
 * 32-bit process reaches every buffer through mmap2's 32-bit page offset.
 */
#define EDUDMA_PGOFF_MIN		((unsigned long)BIT_ULL(32 - PAGE_SHIFT))
#define EDUDMA_PGOFF_MAX		((unsigned long)(BIT_ULL(44 - PAGE_SHIFT) - 1))

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

/**
 * edudma_dseg_add() - append a stretch to a device view
 * @segs: the view
 * @nr: entries in @segs, updated
 * @s: the stretch: a bus address and no page, or DMA_MAPPING_ERROR and
 *	the first of its physically contiguous pages (bounced)
 * @merge_mapped: mapped stretches may merge where their bus addresses
 *	are contiguous (only when syncs are no-ops: a sync must stay within
 *	one mapping)
 *
 * Bounced stretches merge where their pages are contiguous, so that a
 * bounce copy walks pages, never the whole table.
 */
void edudma_dseg_add(struct edudma_dseg *segs, unsigned int *nr, const struct edudma_dseg *s,
		     bool merge_mapped)
{
	struct edudma_dseg *last = *nr ? &segs[*nr - 1] : NULL;

	if (last && last->offset + last->len == s->offset) {
		u64 end = last->page_off + last->len;

		if (s->addr == DMA_MAPPING_ERROR && last->addr == DMA_MAPPING_ERROR &&
		    !s->page_off && PAGE_ALIGNED(end) &&
		    page_to_pfn(last->page) + (end >> PAGE_SHIFT) == page_to_pfn(s->page)) {
			last->len += s->len;
			return;
		}
		if (merge_mapped && s->addr != DMA_MAPPING_ERROR &&
		    last->addr != DMA_MAPPING_ERROR && last->addr + last->len == s->addr) {
			last->len += s->len;
			return;
		}
	}
	segs[(*nr)++] = *s;
}

/* the stretch of @buf holding byte @pos */
static const struct edudma_dseg *edudma_dseg_at(const struct edudma_buf *buf, u64 pos)
{
	unsigned int lo = 0, hi = buf->nr_dsegs - 1;

	while (lo < hi) {
		unsigned int mid = (lo + hi + 1) / 2;

		if (buf->dsegs[mid].offset <= pos)
			lo = mid;
		else
			hi = mid - 1;
	}
	return &buf->dsegs[lo];
}

/**
 * edudma_buf_span() - how the device reaches @buf from byte @pos
 * @buf: the buffer
 * @pos: byte offset, inside the buffer
 * @max: the most the caller wants
 * @addr: out: bus address of @pos, or DMA_MAPPING_ERROR when the stretch
 *	goes through the bounce page
 *
 * Return: bytes from @pos (at most @max) the device reaches the same way:
 * contiguous bus addresses, or bounced stretches one after another.
 */
u64 edudma_buf_span(const struct edudma_buf *buf, u64 pos, u64 max, dma_addr_t *addr)
{
	const struct edudma_dseg *seg = edudma_dseg_at(buf, pos);
	const struct edudma_dseg *end = buf->dsegs + buf->nr_dsegs;
	bool bounced = seg->addr == DMA_MAPPING_ERROR;
	dma_addr_t next;
	u64 span;

	*addr = bounced ? DMA_MAPPING_ERROR : seg->addr + (pos - seg->offset);
	span = seg->offset + seg->len - pos;
	next = bounced ? DMA_MAPPING_ERROR : seg->addr + seg->len;
	for (seg++; span < max && seg < end; seg++) {
		if (bounced ? seg->addr != DMA_MAPPING_ERROR : seg->addr != next)
			break;
		span += seg->len;
		next = bounced ? DMA_MAPPING_ERROR : seg->addr + seg->len;
	}
	return min(span, max);
}

/* copy between a run of physically contiguous pages and a linear buffer */
static void edudma_copy_pages(struct page *first, u64 off, void *linear, u64 len, bool to_pages)
{
	while (len) {
		struct page *page = edudma_nth_page(first, off >> PAGE_SHIFT);
		u64 n = min_t(u64, len, PAGE_SIZE - offset_in_page(off));
		void *va = kmap_local_page(page);

		if (to_pages)
			memcpy(va + offset_in_page(off), linear, n);
		else
			memcpy(linear, va + offset_in_page(off), n);
		kunmap_local(va);
		off += n;
		linear += n;
		len -= n;
	}
}

/*
 * Hand [pos, pos + len) of @buf to the device (@for_cpu false) or back to
 * the CPU (@for_cpu true): sync each mapped stretch within its own
 * mapping; copy bounced stretches into the bounce page before the device
 * reads them and out of it after the device wrote them. Any context.
 */
static void edudma_buf_walk(struct edudma_buf *buf, u64 pos, u64 len,
			    enum dma_data_direction dir, bool for_cpu, void *bounce)
{
	struct device *dev = &buf->edu->pdev->dev;
	const struct edudma_dseg *seg = edudma_dseg_at(buf, pos);
	u64 done = 0;

	for (; done < len; seg++) {
		u64 at = pos + done, delta = at - seg->offset;
		u64 n = min(len - done, seg->len - delta);

		if (seg->addr == DMA_MAPPING_ERROR) {
			u64 at_page = seg->page_off + delta;

			if (bounce && !for_cpu && dir != DMA_FROM_DEVICE)
				edudma_copy_pages(seg->page, at_page, bounce + done, n, false);
			else if (bounce && for_cpu && dir != DMA_TO_DEVICE)
				edudma_copy_pages(seg->page, at_page, bounce + done, n, true);
		} else if (buf->need_sync && for_cpu) {
			dma_sync_single_for_cpu(dev, seg->addr + delta, n, dir);
		} else if (buf->need_sync) {
			dma_sync_single_for_device(dev, seg->addr + delta, n, dir);
		}
		done += n;
	}
}

/**
 * edudma_buf_dev_begin() - before a DMA command touches part of @buf
 * @buf: the buffer
 * @pos: first byte
 * @len: bytes, within one edudma_buf_span()
 * @dir: DMA_TO_DEVICE (the device reads) or DMA_FROM_DEVICE (it writes)
 * @bounce: the bounce page, used when the span is bounced
 *
 * Any context (the engine calls it from its interrupt handler).
 */
void edudma_buf_dev_begin(struct edudma_buf *buf, u64 pos, u32 len,
			  enum dma_data_direction dir, void *bounce)
{
	edudma_buf_walk(buf, pos, len, dir, false, bounce);
}

/**
 * edudma_buf_dev_end() - after a DMA command touched part of @buf
 * @buf: the buffer
 * @pos: first byte
 * @len: bytes, as given to edudma_buf_dev_begin()
 * @dir: as given to edudma_buf_dev_begin()
 * @bounce: the bounce page, holding what the device wrote when bounced
 */
void edudma_buf_dev_end(struct edudma_buf *buf, u64 pos, u32 len,
			enum dma_data_direction dir, void *bounce)
{
	edudma_buf_walk(buf, pos, len, dir, true, bounce);
}

/* ---- COHERENT ------------------------------------------------------------ */

static const struct vm_operations_struct edudma_sg_dmabuf_vm_ops;

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
	buf->dsegs[0] = (struct edudma_dseg){ .addr = buf->dma_addr, .len = buf->size };
	buf->nr_dsegs = 1;
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
 * Byte offset in the buffer of page @pgoff of a mapping: device node
 * mappings start at the buffer's mmap offset, dma-buf mappings at 0.
 */
static u64 edudma_vma_offset(struct vm_area_struct *vma, pgoff_t pgoff)
{
	struct edudma_buf *buf = vma->vm_private_data;
	pgoff_t base = vma->vm_ops == &edudma_sg_dmabuf_vm_ops ? 0 : buf->mmap_pgoff;

	return (u64)(pgoff - base) << PAGE_SHIFT;
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
	u64 offset = edudma_vma_offset(vma, vmf->pgoff);
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

/* called with buf->lock held */
static int edudma_coh_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset)
{
	if (buf->revoked)
		return -ENODEV;
	edudma_vm_flags_set(vma, VM_PFNMAP | VM_IO);
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

/* the device view of a mapped scatter table; syncs stay within one mapping */
static void edudma_sg_dsegs(struct edudma_buf *buf)
{
	struct scatterlist *sg;
	u64 offset = 0;
	unsigned int i;

	if (buf->sgt_mapped) {
		for_each_sgtable_dma_sg(&buf->sgt, sg, i) {
			struct edudma_dseg s = { sg_dma_address(sg), sg_dma_len(sg), offset };

			edudma_dseg_add(buf->dsegs, &buf->nr_dsegs, &s, !buf->need_sync);
			offset += s.len;
		}
		return;
	}
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		struct edudma_dseg s = { sg_dma_address(sg), sg->length, offset };

		if (s.addr == DMA_MAPPING_ERROR) {
			s.page = sg_page(sg);
			s.page_off = sg->offset;
			buf->bounce_bytes += s.len;
		}
		edudma_dseg_add(buf->dsegs, &buf->nr_dsegs, &s, !buf->need_sync);
		offset += s.len;
	}
}

/**
 * edudma_max_seg() - the longest scatterlist entry the device may be given
 * @dev: the device
 *
 * Return: bytes, page-aligned: SWIOTLB bounces one mapping through one
 * run of slots.
 */
unsigned int edudma_max_seg(struct device *dev)
{
	return min_t(size_t, UINT_MAX, dma_max_mapping_size(dev)) & PAGE_MASK;
}

/*
 * A buffer the device only reads is mapped for that alone: DMA-API debug
 * then lets any number of such mappings share pages (user memory
 * registered read-only many times over).
 */
static enum dma_data_direction edudma_map_dir(const struct edudma_buf *buf)
{
	return buf->readonly ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL;
}

/**
 * edudma_sg_map() - map a buffer's scatter table for the device
 * @buf: a buffer with @buf->sgt filled in
 *
 * Maps the table whole where the device reaches every page (through an
 * IOMMU, or with all pages below its mask), else page block by page
 * block, leaving the blocks beyond the mask to the bounce path. Fills
 * @buf->dsegs. User memory is mapped without CPU syncs: registrations may
 * share pages (DMA-API debug refuses overlapping mappings that sync), and
 * the engine syncs each command's range itself.
 *
 * Return: 0 or -ENOMEM.
 */
int edudma_sg_map(struct edudma_buf *buf)
{
	unsigned long attrs = buf->kind == EDUDMA_BUF_USER ? DMA_ATTR_SKIP_CPU_SYNC : 0;
	enum dma_data_direction dir = edudma_map_dir(buf);
	struct device *dev = edudma_dma_dev(buf);
	struct scatterlist *sg;
	bool all = true;
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
		/* its -EINVAL and -EIO say what -ENOMEM says of one page's mapping */
		if (dma_map_sgtable(dev, &buf->sgt, dir, attrs)) {
			ret = -ENOMEM;
			goto err_free;
		}
		buf->sgt_mapped = true;
		for_each_sgtable_dma_sg(&buf->sgt, sg, i)
			buf->need_sync |= dma_need_sync(dev, sg_dma_address(sg));
		edudma_sg_dsegs(buf);
		return 0;
	}
	/* some blocks are out of the device's reach: map the others one by one */
	for_each_sgtable_sg(&buf->sgt, sg, i)
		sg_dma_address(sg) = DMA_MAPPING_ERROR;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		dma_addr_t addr;

		if (!edudma_reachable(dev, sg_phys(sg), sg->length))
			continue;
		addr = dma_map_page_attrs(dev, sg_page(sg), sg->offset, sg->length, dir, attrs);
		if (dma_mapping_error(dev, addr)) {
			ret = -ENOMEM;
			goto err_unmap;
		}
		sg_dma_address(sg) = addr;
		buf->need_sync |= dma_need_sync(dev, addr);
	}
	edudma_sg_dsegs(buf);
	return 0;

err_unmap:
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (sg_dma_address(sg) != DMA_MAPPING_ERROR)
			dma_unmap_page(dev, sg_dma_address(sg), sg->length, dir);
	}
err_free:
	kvfree(buf->dsegs);
	buf->dsegs = NULL;
	buf->need_sync = false;
	return ret;
}

/**
 * edudma_sg_unmap() - undo edudma_sg_map()
 * @buf: the buffer
 */
void edudma_sg_unmap(struct edudma_buf *buf)
{
	enum dma_data_direction dir = edudma_map_dir(buf);
	struct device *dev = edudma_dma_dev(buf);
	struct scatterlist *sg;
	unsigned int i;

	/*
	 * No sync: the engine synced each command's range for the CPU, so the
	 * pages are current, and under SWIOTLB a sync here would copy stale
	 * bounce slots over what the CPU wrote since (the pages outlive the
	 * mapping when remove() revokes it).
	 */
	if (buf->sgt_mapped) {
		dma_unmap_sgtable(dev, &buf->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
		buf->sgt_mapped = false;
		return;
	}
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (sg_dma_address(sg) != DMA_MAPPING_ERROR)
			dma_unmap_page_attrs(dev, sg_dma_address(sg), sg->length, dir,
					     DMA_ATTR_SKIP_CPU_SYNC);
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
			ret = vm_insert_page(vma, addr,
					     edudma_nth_page(sg_page(sg), k >> PAGE_SHIFT));
			if (ret)
				return ret;
			addr += PAGE_SIZE;
		}
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

/* the page holding byte @offset of a scatter-gather buffer */
static struct page *edudma_sg_page(struct edudma_buf *buf, u64 offset)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (offset < sg->length)
			return edudma_nth_page(sg_page(sg), (sg->offset + offset) >> PAGE_SHIFT);
		offset -= sg->length;
	}
	return NULL;
}

/*
 * A page the mapping lost (MADV_DONTNEED, reclaim of page tables) comes
 * back on the next access: the buffer's own page, as mmap() inserted it.
 * Page-backed buffers stay valid memory after remove(), so no revocation.
 */
static vm_fault_t edudma_sg_fault(struct vm_fault *vmf)
{
	struct edudma_buf *buf = vmf->vma->vm_private_data;
	u64 offset = edudma_vma_offset(vmf->vma, vmf->pgoff);
	struct page *page;

	if (offset >= buf->size)
		return VM_FAULT_SIGBUS;
	page = edudma_sg_page(buf, offset);
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static int edudma_pages_alloc(struct edudma_buf *buf, gfp_t gfp)
{
	size_t max_map = dma_max_mapping_size(edudma_dma_dev(buf));
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

			/* SWIOTLB bounces one mapping through one slot run */
			if (left < (PAGE_SIZE << order) || (PAGE_SIZE << order) > max_map)
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
						edudma_max_seg(edudma_dma_dev(buf)),
						GFP_KERNEL_ACCOUNT);
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

/**
 * edudma_quota_new() - a counter of the bytes one open file holds
 *
 * Return: the quota with one reference, or NULL.
 */
struct edudma_quota *edudma_quota_new(void)
{
	struct edudma_quota *quota = kzalloc(sizeof(*quota), GFP_KERNEL_ACCOUNT);

	if (quota) {
		kref_init(&quota->ref);
		spin_lock_init(&quota->lock);
	}
	return quota;
}

static void edudma_quota_release(struct kref *ref)
{
	kfree(container_of(ref, struct edudma_quota, ref));
}

/**
 * edudma_quota_put() - drop a reference on a quota
 * @quota: the quota (NULL is fine)
 */
void edudma_quota_put(struct edudma_quota *quota)
{
	if (quota)
		kref_put(&quota->ref, edudma_quota_release);
}

static int edudma_charge(struct edudma_dev *edu, struct edudma_quota *quota, u64 size)
{
	int ret = 0;

	spin_lock(&quota->lock);
	if (size > READ_ONCE(edudma_max_file_bytes) - min(quota->bytes, edudma_max_file_bytes))
		ret = -EDQUOT;
	else
		quota->bytes += size;
	spin_unlock(&quota->lock);
	if (ret)
		return ret;
	spin_lock(&edu->stats_lock);
	if (size > READ_ONCE(edudma_max_device_bytes) - min(edu->charged, edudma_max_device_bytes))
		ret = -EDQUOT;
	else
		edu->charged += size;
	spin_unlock(&edu->stats_lock);
	if (ret) {
		spin_lock(&quota->lock);
		quota->bytes -= size;
		spin_unlock(&quota->lock);
	}
	return ret;
}

static void edudma_uncharge(struct edudma_dev *edu, struct edudma_quota *quota, u64 size)
{
	if (!size)
		return;
	spin_lock(&quota->lock);
	quota->bytes -= size;
	spin_unlock(&quota->lock);
	spin_lock(&edu->stats_lock);
	edu->charged -= size;
	spin_unlock(&edu->stats_lock);
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

	if (buf->kind == EDUDMA_BUF_IMPORTED)
		return;		/* the exporter's memory */
	spin_lock(&buf->edu->stats_lock);
	st->buffers[0] += sign;
	st->bytes[0] += sign * buf->size;
	if (buf->kind < EDUDMA_STATS_KINDS) {
		st->buffers[buf->kind] += sign;
		st->bytes[buf->kind] += sign * buf->size;
	}
	st->bounce_bytes += sign * buf->bounce_bytes;
	if (add) {
		st->allocs++;
		st->peak_bytes = max(st->peak_bytes, st->bytes[0]);
	}
	spin_unlock(&buf->edu->stats_lock);
}

/* ---- mmap offsets ----------------------------------------------------------- */

/*
 * Every buffer of a device gets its own stretch of the device node's
 * mmap offsets, as many pages as it has, below 2^44 bytes. A maple tree
 * finds free stretches (as mmap finds free addresses) and maps an offset
 * back to its buffer. Writers hold edu->offset_lock, so that the tree's
 * own lock may be dropped while it allocates nodes.
 */
static int edudma_offset_alloc(struct edudma_buf *buf)
{
	struct edudma_dev *edu = buf->edu;
	unsigned long pages = buf->size >> PAGE_SHIFT;
	int ret;

	MA_STATE(mas, &edu->offsets, 0, 0);

	mutex_lock(&edu->offset_lock);
	mtree_lock(&edu->offsets);
	ret = mas_empty_area(&mas, EDUDMA_PGOFF_MIN, EDUDMA_PGOFF_MAX, pages);
	if (!ret && mas.last > EDUDMA_PGOFF_MAX)
		ret = -EBUSY;
	if (!ret) {
		buf->mmap_pgoff = mas.index;
		mas.last = mas.index + pages - 1;
		ret = mas_store_gfp(&mas, buf, GFP_KERNEL_ACCOUNT);
	}
	mtree_unlock(&edu->offsets);
	mutex_unlock(&edu->offset_lock);
	return ret == -EBUSY ? -ENOSPC : ret;
}

static void edudma_offset_free(struct edudma_buf *buf)
{
	struct edudma_dev *edu = buf->edu;

	if (!buf->mmap_pgoff)
		return;
	mutex_lock(&edu->offset_lock);
	mtree_erase(&edu->offsets, buf->mmap_pgoff);
	mutex_unlock(&edu->offset_lock);
}

/**
 * edudma_buf_lookup() - the buffer whose mmap offsets hold @pgoff
 * @edu: the device
 * @pgoff: a page offset in the device node
 * @owns: true if the buffer may be used by the caller (called with the
 *	buffer alive, under the offset lock: no sleeping)
 * @data: for @owns
 *
 * Return: the buffer with a reference, or NULL.
 */
struct edudma_buf *edudma_buf_lookup(struct edudma_dev *edu, unsigned long pgoff,
				     bool (*owns)(struct edudma_buf *buf, void *data), void *data)
{
	struct edudma_buf *buf;

	mutex_lock(&edu->offset_lock);
	buf = mtree_load(&edu->offsets, pgoff);
	if (buf && (!owns(buf, data) || !kref_get_unless_zero(&buf->ref)))
		buf = NULL;
	mutex_unlock(&edu->offset_lock);
	return buf;
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
 * edudma_buf_new() - a buffer structure with a handle and mmap offsets,
 *	not yet usable
 * @edu: the device
 * @size: bytes, at least one; page-aligned if @mappable
 * @mappable: give it mmap offsets
 *
 * Return: the buffer, to be filled in and then given to edudma_buf_publish()
 * or edudma_buf_discard(); or ERR_PTR(-ENOMEM), ERR_PTR(-ENOSPC).
 */
struct edudma_buf *edudma_buf_new(struct edudma_dev *edu, u64 size, bool mappable)
{
	struct edudma_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	ret = ida_alloc_range(&edu->handle_ida, 1, EDUDMA_MAX_HANDLE, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	buf->handle = ret;
	buf->edu = edu;
	buf->size = size;
	mutex_init(&buf->lock);
	ret = mappable ? edudma_offset_alloc(buf) : 0;
	if (ret)
		goto err_handle;
	return buf;

err_handle:
	mutex_destroy(&buf->lock);
	ida_free(&edu->handle_ida, buf->handle);
err_free:
	kfree(buf);
	return ERR_PTR(ret);
}

/**
 * edudma_buf_discard() - undo edudma_buf_new()
 * @buf: a buffer that was never published
 */
void edudma_buf_discard(struct edudma_buf *buf)
{
	edudma_offset_free(buf);
	ida_free(&buf->edu->handle_ida, buf->handle);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

/**
 * edudma_buf_publish() - make a filled-in buffer live, with one reference
 * @buf: from edudma_buf_new(), memory and device mapping in place
 * @quota: the quota charged for it (reference taken), or NULL
 * @inode: the device node (reference taken)
 */
void edudma_buf_publish(struct edudma_buf *buf, struct edudma_quota *quota, struct inode *inode)
{
	struct edudma_dev *edu = buf->edu;

	kref_init(&buf->ref);
	get_device(&edu->dev);
	if (quota)
		kref_get(&quota->ref);
	buf->quota = quota;
	ihold(inode);
	buf->inode = inode;
	mutex_lock(&edu->buf_lock);
	list_add_tail(&buf->node, &edu->bufs);
	mutex_unlock(&edu->buf_lock);
	edudma_stats_buf(buf, true);
	trace_edudma_buf_alloc(buf);
}

/**
 * edudma_buf_create() - allocate, zero, map and charge a buffer
 * @edu: the device
 * @quota: the open file's quota, charged for it
 * @size: bytes, 1..max_buffer_size (checked by the caller)
 * @kind: EDUDMA_BUF_*; AUTO falls back down the ladder on failure
 * @inode: the device node, whose address space the buffer's mappings use
 *
 * Return: the buffer with one reference, or an ERR_PTR: -EDQUOT (limits),
 * -ENOMEM, -EINTR (fatal signal), -ENOSPC (no handle or offset left).
 */
struct edudma_buf *edudma_buf_create(struct edudma_dev *edu, struct edudma_quota *quota,
				     u64 size, u32 kind, struct inode *inode)
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
	ret = edudma_charge(edu, quota, size);
	if (ret)
		return ERR_PTR(ret);
	buf = edudma_buf_new(edu, size, true);
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
	edudma_buf_publish(buf, quota, inode);
	return buf;

err_uncharge:
	edudma_uncharge(edu, quota, size);
	return ERR_PTR(ret);
}

static void edudma_buf_release(struct kref *ref)
{
	struct edudma_buf *buf = container_of(ref, struct edudma_buf, ref);
	struct edudma_dev *edu = buf->edu;

	trace_edudma_buf_free(buf);
	/* under buf_lock, and announced, so that remove() waits for the device side to go */
	mutex_lock(&edu->buf_lock);
	list_del(&buf->node);
	edu->bufs_gen++;
	if (!buf->revoked) {
		buf->ops->unmap(buf);
		buf->ops->free(buf);
	} else if (buf->kind != EDUDMA_BUF_COHERENT) {
		buf->ops->free(buf);
	}
	mutex_unlock(&edu->buf_lock);
	wake_up_all(&edu->bufs_wq);

	edudma_stats_buf(buf, false);
	if (buf->quota)
		edudma_uncharge(edu, buf->quota, buf->charged);
	edudma_quota_put(buf->quota);
	edudma_offset_free(buf);
	ida_free(&edu->handle_ida, buf->handle);
	kvfree(buf->dsegs);
	iput(buf->inode);
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
 * stay valid memory for their users until the last reference goes. A
 * buffer already being released is waited for: its release unmaps it,
 * and that must happen before remove() returns.
 */
void edudma_bufs_revoke(struct edudma_dev *edu)
{
	struct edudma_buf *buf;

	for (;;) {
		bool found = false, dying = false;
		unsigned long gen;

		mutex_lock(&edu->buf_lock);
		list_for_each_entry(buf, &edu->bufs, node) {
			if (buf->revoked)
				continue;
			if (kref_get_unless_zero(&buf->ref)) {
				found = true;
				break;
			}
			/* its last reference is gone, its release not run yet */
			dying = true;
		}
		gen = edu->bufs_gen;
		mutex_unlock(&edu->buf_lock);
		if (!found) {
			if (!dying)
				return;
			wait_event(edu->bufs_wq, READ_ONCE(edu->bufs_gen) != gen);
			continue;
		}
		mutex_lock(&buf->lock);
		buf->revoked = true;
		mutex_unlock(&buf->lock);
		trace_edudma_buf_revoke(buf);
		if (buf->kind == EDUDMA_BUF_COHERENT)
			unmap_mapping_range(buf->inode->i_mapping,
					    (loff_t)buf->mmap_pgoff << PAGE_SHIFT, buf->size, 1);
		mutex_lock(&edu->buf_lock);
		buf->ops->unmap(buf);
		if (buf->kind == EDUDMA_BUF_COHERENT)
			buf->ops->free(buf);
		mutex_unlock(&edu->buf_lock);
		edudma_buf_put(buf);
	}
}

/**
 * edudma_buf_sync() - CPU access brackets for a range of a buffer
 * @buf: the buffer, not revoked
 * @offset: first byte
 * @len: bytes (the range was checked by the caller)
 * @dir: direction of the data
 * @for_cpu: true at the start of CPU access, false at its end
 *
 * The device's own mapping of a buffer needs no bracket: the transfer
 * engine syncs each command's range for the device before the command and
 * for the CPU after it (edudma_buf_dev_begin(), edudma_buf_dev_end()), so
 * whenever no transfer runs the pages are what the CPU sees. (A sync for
 * the CPU here would even undo the CPU's own writes under SWIOTLB: it
 * copies the bounce slots back.) An import is bracketed by its exporter.
 *
 * Return: 0, or what an imported buffer's exporter returned.
 */
int edudma_buf_sync(struct edudma_buf *buf, u64 offset, u64 len, enum dma_data_direction dir,
		    bool for_cpu)
{
	trace_edudma_buf_sync(buf->edu->minor, buf->handle, offset, len, dir, for_cpu);
	if (buf->ops->cpu_access)
		return buf->ops->cpu_access(buf, dir, for_cpu);
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
	.fault = edudma_sg_fault,
};

/* the same for mappings of the buffer's dma-buf, whose offsets start at 0 */
static const struct vm_operations_struct edudma_sg_dmabuf_vm_ops = {
	.open = edudma_vm_open,
	.close = edudma_vm_close,
	.fault = edudma_sg_fault,
};

static const struct vm_operations_struct edudma_coh_vm_ops = {
	.open = edudma_vm_open,
	.close = edudma_vm_close,
	.fault = edudma_coh_fault,
};

/**
 * edudma_buf_mmap() - map @buf into @vma from byte @offset
 * @buf: the buffer; on success the VMA owns the caller's reference (an
 *	import's mapping holds its dma-buf instead, and the reference is
 *	dropped)
 * @vma: a shared mapping whose range lies in the buffer (checked by the caller)
 * @offset: page-aligned offset into the buffer
 * @via_dmabuf: @vma maps the buffer's dma-buf (offset 0 is the buffer's
 *	start), not the device node
 *
 * Device-writable memory is never executable: PROT_EXEC is refused and
 * mprotect() cannot add it later.
 *
 * Return: 0 or -errno (-EPERM for PROT_EXEC, -ENODEV for a revoked
 * COHERENT buffer).
 */
int edudma_buf_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset,
		    bool via_dmabuf)
{
	int ret;

	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	trace_edudma_buf_mmap(buf->edu->minor, buf->handle, offset, vma->vm_end - vma->vm_start);
	edudma_vm_flags_clear(vma, VM_MAYEXEC);
	if (buf->kind == EDUDMA_BUF_IMPORTED)
		return buf->ops->mmap(buf, vma, offset);
	edudma_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = buf;
	if (buf->kind == EDUDMA_BUF_COHERENT)
		vma->vm_ops = &edudma_coh_vm_ops;
	else
		vma->vm_ops = via_dmabuf ? &edudma_sg_dmabuf_vm_ops : &edudma_sg_vm_ops;
	mutex_lock(&buf->lock);
	ret = buf->ops->mmap(buf, vma, offset);
	mutex_unlock(&buf->lock);
	return ret;
}
