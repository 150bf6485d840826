// SPDX-License-Identifier: GPL-2.0
/*
 * edudma char device: /dev/edudmaN. Per-open context, ioctl dispatch and
 * the validation of everything userspace passes in, poll. Every call that
 * reaches the hardware holds gone_lock for reading and fails with -ENODEV
 * once remove() has run.
 */
#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/edudma.h>

#include "edudma.h"

static void edudma_file_release(struct kref *ref)
{
	struct edudma_file *ctx = container_of(ref, struct edudma_file, ref);

	xa_destroy(&ctx->bufs);
	put_device(&ctx->edu->dev);
	kfree(ctx);
}

/**
 * edudma_file_put() - drop a reference on an open file's context
 * @ctx: the context
 */
void edudma_file_put(struct edudma_file *ctx)
{
	kref_put(&ctx->ref, edudma_file_release);
}

/* the buffer behind a handle of this file, with a reference, or NULL */
static struct edudma_buf *edudma_file_get_buf(struct edudma_file *ctx, u32 handle)
{
	struct edudma_buf *buf;

	xa_lock(&ctx->bufs);
	buf = xa_load(&ctx->bufs, handle);
	if (buf)
		kref_get(&buf->ref);
	xa_unlock(&ctx->bufs);
	return buf;
}

/* a handle goes: with it the buffer's cached dma-buf and the handle's reference */
static void edudma_handle_drop(struct edudma_buf *buf)
{
	edudma_dmabuf_unexport(buf);
	edudma_buf_put(buf);
}

/* give a new buffer its handle in @ctx; on failure the buffer is dropped */
static int edudma_handle_add(struct edudma_file *ctx, struct edudma_buf *buf)
{
	int ret = xa_insert(&ctx->bufs, buf->handle, buf, GFP_KERNEL_ACCOUNT);

	if (ret)
		edudma_buf_put(buf);
	return ret;
}

/* tell the caller about a new handle; if that fails it cannot know it: take it back */
static int edudma_handle_reply(struct edudma_file *ctx, struct edudma_buf *buf,
			       void __user *uarg, const void *arg, size_t size)
{
	if (!copy_to_user(uarg, arg, size))
		return 0;
	edudma_handle_drop(xa_erase(&ctx->bufs, buf->handle));
	return -EFAULT;
}

static int edudma_open(struct inode *inode, struct file *file)
{
	struct edudma_dev *edu = container_of(inode->i_cdev, struct edudma_dev, cdev);
	struct edudma_file *ctx;
	int ret = 0;

	down_read(&edu->gone_lock);
	if (edu->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	kref_init(&ctx->ref);
	xa_init(&ctx->bufs);
	spin_lock_init(&ctx->lock);
	get_device(&edu->dev);
	ctx->edu = edu;
	ctx->inode = inode;
	edudma_xfer_file_init(ctx);
	file->private_data = ctx;
	ret = nonseekable_open(inode, file);
out_unlock:
	up_read(&edu->gone_lock);
	return ret;
}

static int edudma_release(struct inode *inode, struct file *file)
{
	struct edudma_file *ctx = file->private_data;
	struct edudma_buf *buf;
	unsigned long handle;

	edudma_xfer_file_release(ctx);
	xa_for_each(&ctx->bufs, handle, buf) {
		xa_erase(&ctx->bufs, handle);
		edudma_handle_drop(buf);
	}
	edudma_file_put(ctx);
	return 0;
}

static int edudma_ioc_get_info(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_dev *edu = ctx->edu;
	struct edudma_info info = {
		.api_version = EDUDMA_API_VERSION,
		.ident = edu->ident,
		.caps = EDUDMA_CAP_FACTORIAL | EDUDMA_CAP_LIVENESS | EDUDMA_CAP_SELFTEST |
			EDUDMA_CAP_BUFFERS | EDUDMA_CAP_STATS | EDUDMA_CAP_XFER |
			EDUDMA_CAP_DMABUF,
		.dma_mask_bits = edu->dma_bits,
		.irq_mode = edu->irq_mode,
		.window_addr = EDU_WINDOW_ADDR,
		.window_size = EDU_WINDOW_USABLE,
		.minor = edu->minor,
		.pci_domain = edu->pci_domain,
		.pci_bus = edu->pci_bus,
		.pci_dev = PCI_SLOT(edu->pci_devfn),
		.pci_fn = PCI_FUNC(edu->pci_devfn),
	};

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int edudma_ioc_factorial(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_dev *edu = ctx->edu;
	struct edudma_factorial arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || (arg.flags & ~EDUDMA_FACTORIAL_WRAP))
		return -EINVAL;
	if (arg.n > EDUDMA_FACTORIAL_MAX_N)
		return -EINVAL;
	if (arg.n > EDUDMA_FACTORIAL_MAX_EXACT && !(arg.flags & EDUDMA_FACTORIAL_WRAP))
		return -EOVERFLOW;
	ret = edudma_hw_factorial(edu, arg.n, &arg.result);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int edudma_ioc_liveness(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_dev *edu = ctx->edu;
	struct edudma_liveness arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	arg.result = edudma_hw_liveness(edu, arg.value);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int edudma_ioc_selftest(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_dev *edu = ctx->edu;
	struct edudma_selftest arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	ret = edudma_xfer_selftest(edu, &arg.to_device_ns, &arg.from_device_ns);
	if (ret)
		return ret;
	arg.bytes = EDU_WINDOW_USABLE;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int edudma_ioc_stats(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_dev *edu = ctx->edu;
	struct edudma_stats st;
	unsigned long flags;

	spin_lock(&edu->stats_lock);
	spin_lock_irqsave(&edu->xfer_lock, flags);
	st = edu->stats;
	spin_unlock_irqrestore(&edu->xfer_lock, flags);
	spin_unlock(&edu->stats_lock);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static int edudma_ioc_alloc(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_alloc arg;
	struct edudma_buf *buf;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.kind >= EDUDMA_BUF_KINDS || !arg.size)
		return -EINVAL;
	if (arg.size > READ_ONCE(edudma_max_buffer_size) || arg.size > BIT_ULL(EDUDMA_MMAP_SHIFT))
		return -EFBIG;
	buf = edudma_buf_create(ctx, arg.size, arg.kind, ctx->inode);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = edudma_handle_add(ctx, buf);
	if (ret)
		return ret;
	arg.size = buf->size;
	arg.kind = buf->kind;
	arg.handle = buf->handle;
	arg.nr_segments = buf->nr_dsegs;
	arg.mmap_offset = (u64)buf->handle << EDUDMA_MMAP_SHIFT;
	return edudma_handle_reply(ctx, buf, uarg, &arg, sizeof(arg));
}

static int edudma_ioc_free(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_free arg;
	struct edudma_buf *buf;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	buf = xa_erase(&ctx->bufs, arg.handle);
	if (!buf)
		return -ENOENT;
	edudma_handle_drop(buf);
	return 0;
}

static int edudma_ioc_buf_info(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_seg __user *usegs;
	struct edudma_buf_info arg;
	struct edudma_buf *buf;
	unsigned int i;
	int ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	if (arg.segs_ptr && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	buf = edudma_file_get_buf(ctx, arg.handle);
	if (!buf)
		return -ENOENT;
	arg.kind = buf->kind;
	arg.nr_segments = buf->nr_dsegs;
	arg.size = buf->size;
	arg.mmap_offset = (u64)buf->handle << EDUDMA_MMAP_SHIFT;
	arg.bounce_bytes = buf->bounce_bytes;
	usegs = u64_to_user_ptr(arg.segs_ptr);
	for (i = 0; usegs && i < min(arg.segs_count, buf->nr_dsegs); i++) {
		struct edudma_seg seg = {
			.dma_addr = buf->dsegs[i].addr == DMA_MAPPING_ERROR ? ~0ULL :
				    (u64)buf->dsegs[i].addr,
			.len = buf->dsegs[i].len,
			.offset = buf->dsegs[i].offset,
		};

		if (copy_to_user(&usegs[i], &seg, sizeof(seg))) {
			ret = -EFAULT;
			break;
		}
	}
	edudma_buf_put(buf);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int edudma_ioc_sync(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_sync arg;
	struct edudma_buf *buf;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || (arg.flags != EDUDMA_SYNC_START && arg.flags != EDUDMA_SYNC_END))
		return -EINVAL;
	if (arg.direction < EDUDMA_DIR_TO_DEVICE || arg.direction > EDUDMA_DIR_BIDIRECTIONAL)
		return -EINVAL;
	buf = edudma_file_get_buf(ctx, arg.handle);
	if (!buf)
		return -ENOENT;
	if (!arg.length || arg.offset >= buf->size || arg.length > buf->size - arg.offset)
		ret = -EINVAL;
	else
		ret = edudma_buf_sync(buf, arg.offset, arg.length, arg.direction,
				      arg.flags == EDUDMA_SYNC_START);
	edudma_buf_put(buf);
	return ret;
}

static int edudma_ioc_export(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_export arg;
	struct edudma_buf *buf;
	struct dma_buf *dmabuf;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	buf = edudma_file_get_buf(ctx, arg.handle);
	if (!buf)
		return -ENOENT;
	ret = edudma_dmabuf_export(buf, &dmabuf);
	edudma_buf_put(buf);
	if (ret)
		return ret;
	/* the fd is installed only once the caller is sure to learn it */
	ret = get_unused_fd_flags(O_CLOEXEC);
	if (ret < 0)
		goto err_put;
	arg.fd = ret;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		put_unused_fd(arg.fd);
		ret = -EFAULT;
		goto err_put;
	}
	fd_install(arg.fd, dmabuf->file);
	return 0;

err_put:
	dma_buf_put(dmabuf);
	return ret;
}

static int edudma_ioc_import(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_import arg;
	struct edudma_buf *buf;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	buf = edudma_dmabuf_import(ctx, arg.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = edudma_handle_add(ctx, buf);
	if (ret)
		return ret;
	arg.size = buf->size;
	arg.handle = buf->handle;
	arg.nr_segments = buf->nr_dsegs;
	arg.mmap_offset = (u64)buf->handle << EDUDMA_MMAP_SHIFT;
	return edudma_handle_reply(ctx, buf, uarg, &arg, sizeof(arg));
}

/* a buffer range of a transfer: the buffer (with a reference) or an errno */
static struct edudma_buf *edudma_xfer_range(struct edudma_file *ctx, u32 handle, u64 off,
					    u64 len)
{
	struct edudma_buf *buf = edudma_file_get_buf(ctx, handle);

	if (!buf)
		return ERR_PTR(-ENOENT);
	if (off >= buf->size || len > buf->size - off) {
		edudma_buf_put(buf);
		return ERR_PTR(-EINVAL);
	}
	return buf;
}

static int edudma_xfer_check(const struct edudma_xfer *x)
{
	bool has_src = x->op != EDUDMA_XFER_FROM_DEVICE, has_dst = x->op != EDUDMA_XFER_TO_DEVICE;

	if (x->pad || (x->flags & ~EDUDMA_XFER_ASYNC) || !x->length)
		return -EINVAL;
	if (x->op < EDUDMA_XFER_TO_DEVICE || x->op > EDUDMA_XFER_COPY)
		return -EINVAL;
	if ((x->flags & EDUDMA_XFER_ASYNC) && x->timeout_ms)
		return -EINVAL;
	if (has_src ? !x->src_handle : x->src_handle || x->src_offset)
		return -EINVAL;
	if (has_dst ? !x->dst_handle : x->dst_handle || x->dst_offset)
		return -EINVAL;
	/* one buffer, overlapping ranges: refused rather than half-defined */
	if (x->op == EDUDMA_XFER_COPY && x->src_handle == x->dst_handle &&
	    x->src_offset < x->dst_offset + x->length && x->dst_offset < x->src_offset + x->length)
		return -EINVAL;
	return 0;
}

/*
 * Not under gone_lock while waiting: remove() would wait for the whole
 * transfer. Only the submission holds it; the engine fails queued
 * transfers with -ENODEV at remove().
 */
static int edudma_ioc_xfer(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_buf *src = NULL, *dst = NULL;
	struct edudma_dev *edu = ctx->edu;
	struct edudma_xfer_req *req;
	struct edudma_xfer arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	ret = edudma_xfer_check(&arg);
	if (ret)
		return ret;
	if (down_read_killable(&edu->gone_lock))
		return -EINTR;
	if (edu->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (arg.op != EDUDMA_XFER_FROM_DEVICE) {
		src = edudma_xfer_range(ctx, arg.src_handle, arg.src_offset, arg.length);
		if (IS_ERR(src)) {
			ret = PTR_ERR(src);
			src = NULL;
			goto out_unlock;
		}
	}
	if (arg.op != EDUDMA_XFER_TO_DEVICE) {
		dst = edudma_xfer_range(ctx, arg.dst_handle, arg.dst_offset, arg.length);
		if (IS_ERR(dst)) {
			ret = PTR_ERR(dst);
			dst = NULL;
			goto out_unlock;
		}
	}
	req = edudma_xfer_queue(ctx, &arg, src, dst, 0, 0);
	if (IS_ERR(req)) {
		ret = PTR_ERR(req);
		goto out_unlock;
	}
	up_read(&edu->gone_lock);

	arg.seq = req->seq;
	if (arg.flags & EDUDMA_XFER_ASYNC)
		return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
	ret = edudma_xfer_wait(req, arg.timeout_ms ? msecs_to_jiffies(arg.timeout_ms) :
				     MAX_SCHEDULE_TIMEOUT);
	arg.commands = req->commands;
	arg.device_ns = req->commands ? ktime_to_ns(ktime_sub(req->t_end, req->t_start)) : 0;
	edudma_xfer_reap(req);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;

out_unlock:
	up_read(&edu->gone_lock);
	edudma_buf_put(src);
	edudma_buf_put(dst);
	return ret;
}

/* no gone_lock: transfers failed by remove() can still be reaped */
static int edudma_ioc_wait(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_xfer_req *req;
	struct edudma_wait arg;
	unsigned long timeout;
	long left;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	if (!edudma_xfer_take(ctx, arg.seq, &req)) {
		if (!arg.timeout_ms)
			return -EAGAIN;
		timeout = arg.timeout_ms == EDUDMA_WAIT_FOREVER ? MAX_SCHEDULE_TIMEOUT :
								 msecs_to_jiffies(arg.timeout_ms);
		left = wait_event_killable_timeout(ctx->wq, edudma_xfer_take(ctx, arg.seq, &req),
						   timeout);
		if (left < 0)
			return -EINTR;
		if (!left)
			return -ETIMEDOUT;
	}
	if (!req)
		return -ENOENT;
	arg.status = req->status;
	arg.done_seq = req->seq;
	arg.commands = req->commands;
	arg.device_ns = req->commands ? ktime_to_ns(ktime_sub(req->t_end, req->t_start)) : 0;
	arg.length = req->len;
	edudma_xfer_reap(req);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long edudma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edudma_file *ctx = file->private_data;
	struct edudma_dev *edu = ctx->edu;
	void __user *uarg = (void __user *)arg;
	int (*handler)(struct edudma_file *ctx, void __user *uarg);
	long ret;

	switch (cmd) {
	case EDUDMA_IOC_GET_INFO:
		handler = edudma_ioc_get_info;
		break;
	case EDUDMA_IOC_FACTORIAL:
		handler = edudma_ioc_factorial;
		break;
	case EDUDMA_IOC_LIVENESS:
		handler = edudma_ioc_liveness;
		break;
	case EDUDMA_IOC_SELFTEST:
		handler = edudma_ioc_selftest;
		break;
	case EDUDMA_IOC_STATS:
		handler = edudma_ioc_stats;
		break;
	case EDUDMA_IOC_ALLOC:
		handler = edudma_ioc_alloc;
		break;
	case EDUDMA_IOC_FREE:
		handler = edudma_ioc_free;
		break;
	case EDUDMA_IOC_BUF_INFO:
		handler = edudma_ioc_buf_info;
		break;
	case EDUDMA_IOC_SYNC:
		handler = edudma_ioc_sync;
		break;
	case EDUDMA_IOC_EXPORT:
		handler = edudma_ioc_export;
		break;
	case EDUDMA_IOC_IMPORT:
		handler = edudma_ioc_import;
		break;
	case EDUDMA_IOC_XFER:
		return edudma_ioc_xfer(ctx, uarg);
	case EDUDMA_IOC_WAIT:
		return edudma_ioc_wait(ctx, uarg);
	default:
		return -ENOTTY;
	}

	if (down_read_killable(&edu->gone_lock))
		return -EINTR;
	ret = edu->gone ? -ENODEV : handler(ctx, uarg);
	up_read(&edu->gone_lock);
	return ret;
}

static __poll_t edudma_poll(struct file *file, poll_table *wait)
{
	struct edudma_file *ctx = file->private_data;
	struct edudma_dev *edu = ctx->edu;

	__poll_t mask = 0;

	poll_wait(file, &edu->hup_wq, wait);
	poll_wait(file, &ctx->wq, wait);
	if (edudma_xfer_file_ready(ctx))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(edu->gone))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

/*
 * No gone_lock here: mmap runs under the caller's mmap_lock, and ioctls
 * take that lock (page faults in copy_to_user) under gone_lock. A buffer's
 * own lock orders mmap against remove() instead (edudma_buf_mmap()).
 */
static int edudma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct edudma_file *ctx = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u64 boff = off & (BIT_ULL(EDUDMA_MMAP_SHIFT) - 1);
	struct edudma_buf *buf;
	int ret;

	/* MAP_PRIVATE would give copy-on-write copies the device never sees */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (READ_ONCE(ctx->edu->gone))
		return -ENODEV;
	buf = edudma_file_get_buf(ctx, off >> EDUDMA_MMAP_SHIFT);
	if (!buf)
		return -EINVAL;
	if (boff >= buf->size || len > buf->size - boff) {
		ret = -EINVAL;
		goto err_put;
	}
	ret = edudma_buf_mmap(buf, vma, boff);
	if (ret)
		goto err_put;
	return 0;

err_put:
	edudma_buf_put(buf);
	return ret;
}

const struct file_operations edudma_fops = {
	.owner = THIS_MODULE,
	.open = edudma_open,
	.release = edudma_release,
	.unlocked_ioctl = edudma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = edudma_poll,
	.mmap = edudma_mmap,
	.llseek = no_llseek,
};
