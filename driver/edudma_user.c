// SPDX-License-Identifier: GPL-2.0
/*
 * edudma user memory: a range of the caller's memory becomes a buffer
 * (EDUDMA_IOC_REGISTER). Its pages are pinned once, long-term, charged to
 * the caller's RLIMIT_MEMLOCK through mm->pinned_vm (as RDMA's ib_umem
 * charges them), and mapped for the device like any scatter-gather
 * buffer, bounce path included. Unpinned, dirtied where the device may
 * have written, when the buffer's last reference goes.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "edudma.h"
#include "edudma_trace.h"

/* pages pinned per pin_user_pages_fast() call: a fatal signal is seen between */
#define EDUDMA_PIN_BATCH	1024

/**
 * struct edudma_user - the pinned side of a USER buffer
 * @mm: the address space charged for the pages (mmgrab() held)
 * @pages: the pinned pages
 * @nr_pages: entries in @pages
 * @writable: pinned with FOLL_WRITE: dirtied on unpin
 */
struct edudma_user {
	struct mm_struct *mm;
	struct page **pages;
	unsigned long nr_pages;
	bool writable;
};

/* charge @n pages to @mm's pinned_vm against RLIMIT_MEMLOCK */
static int edudma_user_charge(struct mm_struct *mm, unsigned long n)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (atomic64_add_return(n, &mm->pinned_vm) > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(n, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

static void edudma_user_release(struct edudma_user *um, unsigned long pinned)
{
	unpin_user_pages_dirty_lock(um->pages, pinned, um->writable);
	atomic64_sub(um->nr_pages, &um->mm->pinned_vm);
	mmdrop(um->mm);
	kvfree(um->pages);
	kfree(um);
}

static void edudma_user_free(struct edudma_buf *buf)
{
	struct edudma_user *um = buf->user;

	trace_edudma_user_unpin(buf, um->nr_pages);
	sg_free_table(&buf->sgt);
	edudma_user_release(um, um->nr_pages);
	buf->user = NULL;
}

static const struct edudma_buf_ops edudma_user_ops = {
	.map = edudma_sg_map,
	.unmap = edudma_sg_unmap,
	.free = edudma_user_free,
};

/* pin [first, first + n pages) of the current mm into @um->pages */
static int edudma_user_pin(struct edudma_user *um, unsigned long first, unsigned long *pinned)
{
	unsigned int gup = FOLL_LONGTERM | (um->writable ? FOLL_WRITE : 0);
	int ret;

	*pinned = 0;
	while (*pinned < um->nr_pages) {
		int want = min_t(unsigned long, um->nr_pages - *pinned, EDUDMA_PIN_BATCH);

		ret = pin_user_pages_fast(first + (*pinned << PAGE_SHIFT), want, gup,
					  um->pages + *pinned);
		if (ret <= 0)
			return ret ? ret : -EFAULT;
		*pinned += ret;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/**
 * edudma_user_register() - pin and map a range of the caller's memory
 * @edu: the device
 * @addr: user address of the first byte
 * @len: bytes, at least 1 and not wrapping (checked by the caller)
 * @writable: the device may write the range
 * @inode: the device node
 *
 * Return: a buffer of kind EDUDMA_BUF_USER with one reference, or an
 * ERR_PTR: -ENOMEM (RLIMIT_MEMLOCK, memory), -EFAULT, -EINTR, -ENOSPC, or
 * what pin_user_pages_fast() refused the range with. Nothing stays pinned
 * or charged on failure.
 */
struct edudma_buf *edudma_user_register(struct edudma_dev *edu, u64 addr, u64 len,
					bool writable, struct inode *inode)
{
	unsigned long first = addr & PAGE_MASK, pinned = 0;
	struct device *dev = &edu->pdev->dev;
	struct edudma_user *um;
	struct edudma_buf *buf;
	int ret;

	um = kzalloc(sizeof(*um), GFP_KERNEL_ACCOUNT);
	if (!um)
		return ERR_PTR(-ENOMEM);
	um->writable = writable;
	um->nr_pages = (PAGE_ALIGN(addr + len) - first) >> PAGE_SHIFT;
	um->pages = kvmalloc_array(um->nr_pages, sizeof(*um->pages), GFP_KERNEL_ACCOUNT);
	if (!um->pages) {
		kfree(um);
		return ERR_PTR(-ENOMEM);
	}
	ret = edudma_user_charge(current->mm, um->nr_pages);
	if (ret) {
		kvfree(um->pages);
		kfree(um);
		return ERR_PTR(ret);
	}
	um->mm = current->mm;
	mmgrab(um->mm);

	ret = edudma_user_pin(um, first, &pinned);
	if (ret)
		goto err_release;
	buf = edudma_buf_new(edu, len, false);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto err_release;
	}
	ret = sg_alloc_table_from_pages_segment(&buf->sgt, um->pages, um->nr_pages,
						offset_in_page(addr), len, edudma_max_seg(dev),
						GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_discard;
	buf->kind = EDUDMA_BUF_USER;
	buf->ops = &edudma_user_ops;
	buf->readonly = !writable;
	ret = edudma_sg_map(buf);
	if (ret) {
		spin_lock(&edu->stats_lock);
		edu->stats.map_failures++;
		spin_unlock(&edu->stats_lock);
		goto err_sgt;
	}
	buf->user = um;
	edudma_buf_publish(buf, NULL, inode);
	trace_edudma_user_pin(buf, um->nr_pages);
	return buf;

err_sgt:
	sg_free_table(&buf->sgt);
err_discard:
	edudma_buf_discard(buf);
err_release:
	edudma_user_release(um, pinned);
	return ERR_PTR(ret);
}
