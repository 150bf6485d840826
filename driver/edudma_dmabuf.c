// SPDX-License-Identifier: GPL-2.0
/*
 * edudma and dma-buf, both ways.
 *
 * Export: a page-backed buffer (PAGES, VMALLOC_SG) becomes a dma-buf that
 * holds a reference on it. Every attachment gets its own scatter table of
 * the buffer's pages, mapped for the importing device; CPU access brackets
 * (DMA_BUF_IOCTL_SYNC) sync every live mapping, the exporting device's
 * included. COHERENT buffers are not exported: their memory goes back to
 * the DMA API when the device is removed, and an importer cannot be told.
 *
 * Import: the device attaches to a dma-buf and maps it once, for as long
 * as a handle of it lives or until remove(), like an allocated buffer; all
 * imports of one dma-buf on one device share that mapping. The imported
 * buffer has DMA segments but no pages of its own: the device must reach
 * every address directly, so a device whose mask misses part of memory
 * imports only behind an IOMMU.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "edudma.h"
#include "edudma_compat.h"

EDUDMA_MODULE_IMPORT_NS("DMA_BUF");

/**
 * struct edudma_exp - private data of an exported dma-buf
 * @buf: the buffer (reference held)
 * @lock: protects @atts
 * @atts: the importers' struct edudma_exp_att
 */
struct edudma_exp {
	struct edudma_buf *buf;
	struct mutex lock;		/* protects atts */
	struct list_head atts;
};

/**
 * struct edudma_exp_att - one importer's view of an exported buffer
 * @node: in edudma_exp.atts
 * @dev: the importing device
 * @sgt: the buffer's pages, mapped for @dev while @mapped
 * @dir: direction of the mapping
 * @mapped: @sgt is mapped
 */
struct edudma_exp_att {
	struct list_head node;
	struct device *dev;
	struct sg_table sgt;
	enum dma_data_direction dir;
	bool mapped;
};

static int edudma_exp_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *att)
{
	struct edudma_exp *exp = dmabuf->priv;
	struct sg_table *src = &exp->buf->sgt;
	struct scatterlist *s, *d;
	struct edudma_exp_att *a;
	unsigned int i;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	ret = sg_alloc_table(&a->sgt, src->orig_nents, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(a);
		return ret;
	}
	d = a->sgt.sgl;
	for_each_sgtable_sg(src, s, i) {
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
	a->dev = att->dev;
	att->priv = a;
	mutex_lock(&exp->lock);
	list_add(&a->node, &exp->atts);
	mutex_unlock(&exp->lock);
	return 0;
}

static void edudma_exp_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *att)
{
	struct edudma_exp *exp = dmabuf->priv;
	struct edudma_exp_att *a = att->priv;

	mutex_lock(&exp->lock);
	list_del(&a->node);
	mutex_unlock(&exp->lock);
	sg_free_table(&a->sgt);
	kfree(a);
}

/*
 * The pages are mapped for the exporting device too, for the buffer's
 * life: overlapping mappings, so the CPU syncs are the exporter's (here
 * and in begin/end_cpu_access), not the mapping calls' (as DRM PRIME and
 * udmabuf do it).
 */
static struct sg_table *edudma_exp_map(struct dma_buf_attachment *att,
				       enum dma_data_direction dir)
{
	struct edudma_exp *exp = att->dmabuf->priv;
	struct edudma_exp_att *a = att->priv;
	int ret;

	mutex_lock(&exp->lock);
	if (a->mapped) {
		ret = -EBUSY;	/* the core maps an attachment once at a time */
	} else {
		ret = dma_map_sgtable(a->dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
		if (!ret)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
		a->mapped = !ret;
		a->dir = dir;
	}
	mutex_unlock(&exp->lock);
	return ret ? ERR_PTR(ret) : &a->sgt;
}

static void edudma_exp_unmap(struct dma_buf_attachment *att, struct sg_table *sgt,
			     enum dma_data_direction dir)
{
	struct edudma_exp *exp = att->dmabuf->priv;
	struct edudma_exp_att *a = att->priv;

	mutex_lock(&exp->lock);
	dma_sync_sgtable_for_cpu(a->dev, sgt, dir);
	dma_unmap_sgtable(a->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	a->mapped = false;
	mutex_unlock(&exp->lock);
}

/*
 * Sync every importer's mapping, each in the direction it was mapped
 * with. The exporting device's own mapping needs nothing here: its
 * transfer engine syncs each command's range before and after it, so
 * between transfers the pages are what the CPU sees.
 */
static int edudma_exp_cpu_access(struct dma_buf *dmabuf, enum dma_data_direction dir,
				 bool for_cpu)
{
	struct edudma_exp *exp = dmabuf->priv;
	struct edudma_exp_att *a;

	mutex_lock(&exp->lock);
	list_for_each_entry(a, &exp->atts, node) {
		if (!a->mapped)
			continue;
		if (for_cpu)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
		else
			dma_sync_sgtable_for_device(a->dev, &a->sgt, a->dir);
	}
	mutex_unlock(&exp->lock);
	return 0;
}

static int edudma_exp_begin_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	return edudma_exp_cpu_access(dmabuf, dir, true);
}

static int edudma_exp_end_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	return edudma_exp_cpu_access(dmabuf, dir, false);
}

static int edudma_exp_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct edudma_exp *exp = dmabuf->priv;
	int ret;

	/* the core checked the range; MAP_PRIVATE would copy on write */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	kref_get(&exp->buf->ref);
	ret = edudma_buf_mmap(exp->buf, vma, (u64)vma->vm_pgoff << PAGE_SHIFT, true);
	if (ret)
		edudma_buf_put(exp->buf);
	return ret;
}

static void edudma_exp_release(struct dma_buf *dmabuf)
{
	struct edudma_exp *exp = dmabuf->priv;

	edudma_buf_put(exp->buf);
	mutex_destroy(&exp->lock);
	kfree(exp);
}

static const struct dma_buf_ops edudma_dmabuf_ops = {
	.attach = edudma_exp_attach,
	.detach = edudma_exp_detach,
	.map_dma_buf = edudma_exp_map,
	.unmap_dma_buf = edudma_exp_unmap,
	.begin_cpu_access = edudma_exp_begin_cpu,
	.end_cpu_access = edudma_exp_end_cpu,
	.mmap = edudma_exp_mmap,
	.release = edudma_exp_release,
};

/**
 * edudma_dmabuf_export() - the dma-buf of @buf, made at the first call
 * @buf: the buffer, reached through its handle (the caller's reference
 *	stays the caller's)
 * @out: the dma-buf, with a file reference for the caller, not yet
 *	installed in any file table
 *
 * While the handle lives, @buf->export caches the dma-buf with a reference
 * of its own, so that every export of a buffer is one dma-buf and an
 * importer maps it once (DMA-API debug counts overlapping mappings of a
 * page). The handle's end drops that reference (edudma_dmabuf_unexport()).
 *
 * Return: 0, -EOPNOTSUPP (COHERENT or IMPORTED), -ENOENT (the handle went
 * meanwhile), -ENOMEM.
 */
int edudma_dmabuf_export(struct edudma_buf *buf, struct dma_buf **out)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct edudma_exp *exp;
	struct dma_buf *dmabuf;
	int ret = 0;

	if (buf->kind != EDUDMA_BUF_PAGES && buf->kind != EDUDMA_BUF_VMALLOC_SG)
		return -EOPNOTSUPP;
	mutex_lock(&buf->lock);
	/* a FREE that ran before we took the lock has dropped the cache for good */
	if (buf->unexported) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (buf->export) {
		get_dma_buf(buf->export);
		*out = buf->export;
		goto out_unlock;
	}
	exp = kzalloc(sizeof(*exp), GFP_KERNEL_ACCOUNT);
	if (!exp) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	mutex_init(&exp->lock);
	INIT_LIST_HEAD(&exp->atts);
	exp->buf = buf;
	info.ops = &edudma_dmabuf_ops;
	info.size = buf->size;
	info.flags = O_RDWR;
	info.priv = exp;
	kref_get(&buf->ref);
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		mutex_unlock(&buf->lock);
		edudma_buf_put(buf);
		mutex_destroy(&exp->lock);
		kfree(exp);
		return ret;
	}
	get_dma_buf(dmabuf);
	buf->export = dmabuf;
	*out = dmabuf;
out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * edudma_dmabuf_unexport() - the handle of @buf is gone: drop its dma-buf
 * @buf: the buffer (NULL is fine)
 *
 * The dma-buf lives on while anyone else holds it. An export that looked
 * the handle up before it went and runs after this fails with -ENOENT, so
 * no dma-buf is cached for a handle that no longer exists (buffer and
 * dma-buf would hold each other for ever).
 */
void edudma_dmabuf_unexport(struct edudma_buf *buf)
{
	struct dma_buf *dmabuf;

	if (!buf)
		return;
	mutex_lock(&buf->lock);
	dmabuf = buf->export;
	buf->export = NULL;
	buf->unexported = true;
	mutex_unlock(&buf->lock);
	if (dmabuf)
		dma_buf_put(dmabuf);
}

/* ---- import ---------------------------------------------------------------- */

/**
 * struct edudma_imp - a dma-buf the device is attached to and has mapped
 * @node: in edu->imports
 * @ref: every imported buffer of this dma-buf on the device holds one
 *	(edu->import_lock)
 * @edu: the device
 * @dmabuf: the dma-buf (reference held)
 * @attach: the device's attachment
 * @sgt: the attachment's mapping
 * @dsegs: the device's view of it, shared by the buffers
 * @nr_dsegs: entries in @dsegs
 *
 * One per device and dma-buf, however often it is imported: an exporter
 * maps the same pages once more for every attachment.
 */
struct edudma_imp {
	struct list_head node;
	unsigned int ref;
	struct edudma_dev *edu;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct edudma_dseg *dsegs;
	unsigned int nr_dsegs;
};

/* attach and map: a new struct edudma_imp, its dsegs filled in */
static struct edudma_imp *edudma_imp_create(struct edudma_dev *edu, struct dma_buf *dmabuf)
{
	struct device *dev = &edu->pdev->dev;
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	struct edudma_imp *imp;
	struct scatterlist *sg;
	u64 offset = 0;
	unsigned int i;
	int ret;

	imp = kzalloc(sizeof(*imp), GFP_KERNEL_ACCOUNT);
	if (!imp)
		return ERR_PTR(-ENOMEM);
	imp->attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		goto err_free;
	}
	imp->sgt = dma_buf_map_attachment_unlocked(imp->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(imp->sgt)) {
		ret = PTR_ERR(imp->sgt);
		goto err_detach;
	}
	imp->dsegs = kvmalloc_array(max(imp->sgt->nents, 1U), sizeof(*imp->dsegs),
				    GFP_KERNEL_ACCOUNT);
	if (!imp->dsegs) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	for_each_sgtable_dma_sg(imp->sgt, sg, i) {
		struct edudma_dseg s = { sg_dma_address(sg), sg_dma_len(sg), offset };

		if (!s.len)
			continue;
		/* the engine has no bounce path for pages it does not own */
		if (s.addr + s.len - 1 > limit || s.addr + s.len - 1 < s.addr) {
			ret = -EIO;
			goto err_dsegs;
		}
		/* syncs are the exporter's (CPU access brackets): merge freely */
		edudma_dseg_add(imp->dsegs, &imp->nr_dsegs, &s, true);
		offset += s.len;
	}
	if (offset != dmabuf->size) {
		ret = -EINVAL;
		goto err_dsegs;
	}
	imp->edu = edu;
	imp->dmabuf = dmabuf;
	get_dma_buf(dmabuf);
	imp->ref = 1;
	return imp;

err_dsegs:
	kvfree(imp->dsegs);
err_unmap:
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dmabuf, imp->attach);
err_free:
	kfree(imp);
	return ERR_PTR(ret);
}

/* the device's mapping of @dmabuf, shared or new, with a reference */
static struct edudma_imp *edudma_imp_get(struct edudma_dev *edu, struct dma_buf *dmabuf)
{
	struct edudma_imp *imp;

	mutex_lock(&edu->import_lock);
	list_for_each_entry(imp, &edu->imports, node) {
		if (imp->dmabuf == dmabuf) {
			imp->ref++;
			goto out_unlock;
		}
	}
	imp = edudma_imp_create(edu, dmabuf);
	if (!IS_ERR(imp))
		list_add(&imp->node, &edu->imports);
out_unlock:
	mutex_unlock(&edu->import_lock);
	return imp;
}

/* the last reference unmaps and detaches; the dma-buf reference goes later */
static void edudma_imp_put(struct edudma_imp *imp)
{
	struct edudma_dev *edu = imp->edu;

	mutex_lock(&edu->import_lock);
	if (--imp->ref) {
		mutex_unlock(&edu->import_lock);
		return;
	}
	list_del(&imp->node);
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(imp->dmabuf, imp->attach);
	mutex_unlock(&edu->import_lock);
	/* fput() defers the dma-buf's release: it never runs in here */
	dma_buf_put(imp->dmabuf);
	kvfree(imp->dsegs);
	kfree(imp);
}

static void edudma_imp_unmap(struct edudma_buf *buf)
{
	if (!buf->imp)
		return;
	buf->dsegs = NULL;	/* the shared mapping's, not the buffer's */
	buf->nr_dsegs = 0;
	edudma_imp_put(buf->imp);
	buf->imp = NULL;
}

static void edudma_imp_free(struct edudma_buf *buf)
{
	dma_buf_put(buf->dmabuf);
	buf->dmabuf = NULL;
}

/* the mapping holds the dma-buf's file, not the buffer */
static int edudma_imp_mmap(struct edudma_buf *buf, struct vm_area_struct *vma, u64 offset)
{
	int ret = dma_buf_mmap(buf->dmabuf, vma, offset >> PAGE_SHIFT);

	if (!ret)
		edudma_buf_put(buf);
	return ret;
}

/* CPU access to an import is bracketed by its exporter, which syncs every mapping */
static int edudma_imp_cpu_access(struct edudma_buf *buf, enum dma_data_direction dir,
				 bool for_cpu)
{
	if (for_cpu)
		return dma_buf_begin_cpu_access(buf->dmabuf, dir);
	return dma_buf_end_cpu_access(buf->dmabuf, dir);
}

static const struct edudma_buf_ops edudma_imp_ops = {
	.unmap = edudma_imp_unmap,
	.free = edudma_imp_free,
	.mmap = edudma_imp_mmap,
	.cpu_access = edudma_imp_cpu_access,
};

/**
 * edudma_dmabuf_import() - a buffer of the device's mapping of dma-buf @fd
 * @edu: the device
 * @fd: the dma-buf's file descriptor in the caller's table
 * @inode: the device node
 *
 * A dma-buf whose file was opened read-only becomes a buffer the device
 * may only read. Imports are not charged: the exporter owns the memory.
 *
 * Return: a buffer of kind EDUDMA_BUF_IMPORTED with one reference, or an
 * ERR_PTR (see struct edudma_import for the errors).
 */
struct edudma_buf *edudma_dmabuf_import(struct edudma_dev *edu, int fd, struct inode *inode)
{
	struct device *dev = &edu->pdev->dev;
	struct dma_buf *dmabuf;
	struct edudma_imp *imp;
	struct edudma_buf *buf;
	int ret;

	if (!edudma_dma_translated(dev) && dma_get_mask(dev) < dma_get_required_mask(dev))
		return ERR_PTR(-EOPNOTSUPP);
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	/* every page must be mappable, the last one included */
	if (!dmabuf->size || !PAGE_ALIGNED(dmabuf->size)) {
		ret = -EINVAL;
		goto err_put;
	}
	if (dmabuf->size > BIT_ULL(EDUDMA_MMAP_SHIFT)) {
		ret = -EFBIG;
		goto err_put;
	}
	buf = edudma_buf_new(edu, dmabuf->size, true);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto err_put;
	}
	imp = edudma_imp_get(edu, dmabuf);
	if (IS_ERR(imp)) {
		ret = PTR_ERR(imp);
		edudma_buf_discard(buf);
		goto err_put;
	}
	buf->kind = EDUDMA_BUF_IMPORTED;
	buf->ops = &edudma_imp_ops;
	buf->dmabuf = dmabuf;
	buf->imp = imp;
	buf->dsegs = imp->dsegs;
	buf->nr_dsegs = imp->nr_dsegs;
	buf->readonly = !(dmabuf->file->f_mode & FMODE_WRITE);
	edudma_buf_publish(buf, NULL, inode);
	return buf;

err_put:
	dma_buf_put(dmabuf);
	return ERR_PTR(ret);
}

/* the dma-buf @buf is part of, with a reference: its import or its export */
static struct dma_buf *edudma_dmabuf_of(struct edudma_buf *buf)
{
	struct dma_buf *dmabuf;

	if (buf->kind == EDUDMA_BUF_IMPORTED) {
		get_dma_buf(buf->dmabuf);
		return buf->dmabuf;
	}
	mutex_lock(&buf->lock);
	dmabuf = buf->export;
	if (dmabuf)
		get_dma_buf(dmabuf);
	mutex_unlock(&buf->lock);
	return dmabuf;
}

/**
 * edudma_dmabuf_fenced() - is @buf shared through a dma-buf?
 * @buf: a buffer
 *
 * Return: true for an import or an exported buffer: transfers on it take
 * part in implicit sync.
 */
bool edudma_dmabuf_fenced(struct edudma_buf *buf)
{
	bool fenced;

	if (buf->kind == EDUDMA_BUF_IMPORTED)
		return true;
	mutex_lock(&buf->lock);
	fenced = buf->export;
	mutex_unlock(&buf->lock);
	return fenced;
}

/**
 * edudma_dmabuf_fence_wait() - implicit sync before the device touches @buf
 * @buf: a buffer; only one shared through a dma-buf has fences
 * @write: the device will write it (wait for readers and writers), or
 *	only read it (wait for writers)
 *
 * Return: 0, -EINTR (a signal), or an error of a fence.
 */
int edudma_dmabuf_fence_wait(struct edudma_buf *buf, bool write)
{
	struct dma_buf *dmabuf = edudma_dmabuf_of(buf);
	long ret;

	if (!dmabuf)
		return 0;
	ret = dma_resv_wait_timeout(dmabuf->resv,
				    write ? DMA_RESV_USAGE_READ : DMA_RESV_USAGE_WRITE, true,
				    MAX_SCHEDULE_TIMEOUT);
	dma_buf_put(dmabuf);
	if (ret < 0)
		return ret == -ERESTARTSYS ? -EINTR : ret;
	return 0;
}

/**
 * edudma_dmabuf_fence_add() - publish a transfer's fence in @buf's dma-buf
 * @buf: a buffer (nothing happens unless it is shared through a dma-buf)
 * @fence: the transfer's fence
 * @write: the transfer writes @buf
 *
 * Return: 0, -EINTR, -ENOMEM.
 */
int edudma_dmabuf_fence_add(struct edudma_buf *buf, struct dma_fence *fence, bool write)
{
	struct dma_buf *dmabuf = edudma_dmabuf_of(buf);
	int ret;

	if (!dmabuf)
		return 0;
	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (!ret) {
		ret = dma_resv_reserve_fences(dmabuf->resv, 1);
		if (!ret)
			dma_resv_add_fence(dmabuf->resv, fence,
					   write ? DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
		dma_resv_unlock(dmabuf->resv);
	}
	dma_buf_put(dmabuf);
	return ret == -ERESTARTSYS ? -EINTR : ret;
}

/**
 * edudma_dmabuf_dev_access() - bracket the device's access to an import
 * @buf: a buffer (nothing happens unless it is an import)
 * @write: the device writes it
 * @done: false before the access, true after it
 *
 * An import's mapping is the exporter's to sync, never the importer's:
 * the device's access is bracketed through the exporter's CPU access
 * hooks, which sync every mapping of the dma-buf (SWIOTLB bounce slots,
 * caches). Before any access the CPU's view goes to the device (all of
 * it: a partial write must not bring stale bytes back); after a write the
 * device's view comes back. Process context.
 *
 * Return: 0 or the exporter's error.
 */
int edudma_dmabuf_dev_access(struct edudma_buf *buf, bool write, bool done)
{
	if (buf->kind != EDUDMA_BUF_IMPORTED)
		return 0;
	if (!done)
		return dma_buf_end_cpu_access(buf->dmabuf, DMA_TO_DEVICE);
	return write ? dma_buf_begin_cpu_access(buf->dmabuf, DMA_FROM_DEVICE) : 0;
}
