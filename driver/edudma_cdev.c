// SPDX-License-Identifier: GPL-2.0
/*
 * edudma char device: /dev/edudmaN. Per-open context, ioctl dispatch and
 * the validation of everything userspace passes in, poll. Every call that
 * reaches the hardware holds gone_lock for reading and fails with -ENODEV
 * once remove() has run.
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
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
	edudma_quota_put(ctx->quota);
	put_device(&ctx->edu->dev);
	kfree(ctx);
}

static void edudma_file_put(struct edudma_file *ctx)
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

/* take a handle out of @ctx: its buffer (the handle's reference), or NULL */
static struct edudma_buf *edudma_handle_take(struct edudma_file *ctx, u32 handle)
{
	struct edudma_buf *buf;

	xa_lock(&ctx->bufs);
	buf = __xa_erase(&ctx->bufs, handle);
	if (buf)
		ctx->nr_handles--;
	xa_unlock(&ctx->bufs);
	return buf;
}

/* give a buffer a handle in @ctx: at most max_file_handles per file */
static int edudma_handle_add(struct edudma_file *ctx, struct edudma_buf *buf)
{
	int ret = -EMFILE;

	xa_lock(&ctx->bufs);
	if (ctx->nr_handles < READ_ONCE(edudma_max_file_handles)) {
		/* counted first: the insertion may drop the lock to allocate */
		ctx->nr_handles++;
		ret = __xa_insert(&ctx->bufs, buf->handle, buf, GFP_KERNEL_ACCOUNT);
		if (ret)
			ctx->nr_handles--;
	}
	xa_unlock(&ctx->bufs);
	return ret;
}

/*
 * Publish a new buffer's handle in @ctx and tell the caller, with the
 * reply already filled in: once the handle is in the table another thread
 * may FREE it, so @buf is not read after that. If the caller cannot be
 * told, the handle is taken back, unless it was freed meanwhile. The
 * buffer's creation reference goes to the handle, or is dropped.
 */
static int edudma_handle_publish(struct edudma_file *ctx, struct edudma_buf *buf,
				 void __user *uarg, const void *arg, size_t size)
{
	bool taken;
	int ret;

	kref_get(&buf->ref);		/* ours, until the reply is out */
	ret = edudma_handle_add(ctx, buf);
	if (ret) {
		edudma_buf_put(buf);
		edudma_buf_put(buf);
		return ret;
	}
	if (copy_to_user(uarg, arg, size)) {
		ret = -EFAULT;
		xa_lock(&ctx->bufs);
		taken = __xa_cmpxchg(&ctx->bufs, buf->handle, buf, NULL, 0) == buf;
		if (taken)
			ctx->nr_handles--;
		xa_unlock(&ctx->bufs);
		if (taken)
			edudma_handle_drop(buf);
	}
	edudma_buf_put(buf);
	return ret;
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
	ctx->quota = edudma_quota_new();
	if (!ctx->quota) {
		kfree(ctx);
		ret = -ENOMEM;
		goto out_unlock;
	}
	kref_init(&ctx->ref);
	xa_init(&ctx->bufs);
	get_device(&edu->dev);
	ctx->edu = edu;
	ctx->inode = inode;
	edudma_xfer_file_init(&ctx->xf, edu);
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

	edudma_xfer_file_release(&ctx->xf);
	xa_for_each(&ctx->bufs, handle, buf)
		edudma_handle_drop(edudma_handle_take(ctx, handle));
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
			EDUDMA_CAP_DMABUF | EDUDMA_CAP_USER_MEMORY | EDUDMA_CAP_XFER_TIMEOUT |
			edudma_uring_caps(),
		.dma_mask_bits = edu->dma_bits,
		.irq_mode = edu->irq_mode,
		.window_addr = EDU_WINDOW_ADDR,
		.window_size = edu->window,
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
	arg.bytes = edu->window;
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
	u64 max = READ_ONCE(edudma_max_buffer_size);
	struct edudma_alloc arg;
	struct edudma_buf *buf;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.kind >= EDUDMA_BUF_KINDS || !arg.size)
		return -EINVAL;
	/* the limit applies to what is allocated: whole pages */
	if (arg.size > max || PAGE_ALIGN(arg.size) > max)
		return -EFBIG;
	buf = edudma_buf_create(ctx->edu, ctx->quota, arg.size, arg.kind, ctx->inode);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	arg.size = buf->size;
	arg.kind = buf->kind;
	arg.handle = buf->handle;
	arg.nr_segments = buf->nr_dsegs;
	arg.mmap_offset = (u64)buf->mmap_pgoff << PAGE_SHIFT;
	return edudma_handle_publish(ctx, buf, uarg, &arg, sizeof(arg));
}

static int edudma_ioc_free(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_free arg;
	struct edudma_buf *buf;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	buf = edudma_handle_take(ctx, arg.handle);
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
	arg.mmap_offset = (u64)buf->mmap_pgoff << PAGE_SHIFT;
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
	static const enum dma_data_direction dirs[] = {
		[EDUDMA_DIR_TO_DEVICE] = DMA_TO_DEVICE,
		[EDUDMA_DIR_FROM_DEVICE] = DMA_FROM_DEVICE,
		[EDUDMA_DIR_BIDIRECTIONAL] = DMA_BIDIRECTIONAL,
	};
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
		ret = edudma_buf_sync(buf, arg.offset, arg.length, dirs[arg.direction],
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

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	buf = edudma_dmabuf_import(ctx->edu, arg.fd, ctx->inode);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	arg.size = buf->size;
	arg.handle = buf->handle;
	arg.nr_segments = buf->nr_dsegs;
	arg.mmap_offset = (u64)buf->mmap_pgoff << PAGE_SHIFT;
	return edudma_handle_publish(ctx, buf, uarg, &arg, sizeof(arg));
}

static int edudma_ioc_register(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_register arg;
	struct edudma_buf *buf;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~EDUDMA_REGISTER_READONLY) || arg.pad || !arg.length ||
	    arg.addr + arg.length < arg.addr)
		return -EINVAL;
	if (arg.length > READ_ONCE(edudma_max_buffer_size))
		return -EFBIG;
	if (!access_ok(u64_to_user_ptr(arg.addr), arg.length))
		return -EFAULT;
	buf = edudma_user_register(ctx->edu, arg.addr, arg.length,
				   !(arg.flags & EDUDMA_REGISTER_READONLY), ctx->inode);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	arg.handle = buf->handle;
	arg.nr_segments = buf->nr_dsegs;
	return edudma_handle_publish(ctx, buf, uarg, &arg, sizeof(arg));
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
 * Implicit sync with the other users of the dma-bufs a transfer touches:
 * wait for their fences (writers before a read, everyone before a write),
 * then publish the transfer's own fence (*@fence, NULL if none is needed).
 */
static int edudma_xfer_sync_in(struct edudma_file *ctx, struct edudma_buf *src,
			       struct edudma_buf *dst, struct dma_fence **fence)
{
	int ret = 0;

	*fence = NULL;
	if ((!src || !edudma_dmabuf_fenced(src)) && (!dst || !edudma_dmabuf_fenced(dst)))
		return 0;
	if (src)
		ret = edudma_dmabuf_fence_wait(src, false);
	if (!ret && dst)
		ret = edudma_dmabuf_fence_wait(dst, true);
	if (ret)
		return ret;
	*fence = edudma_xfer_fence_new(ctx->edu);
	if (!*fence)
		return -ENOMEM;
	if (src)
		ret = edudma_dmabuf_fence_add(src, *fence, false);
	if (!ret && dst)
		ret = edudma_dmabuf_fence_add(dst, *fence, true);
	if (ret) {
		edudma_xfer_fence_end(*fence, ret);
		dma_fence_put(*fence);
		*fence = NULL;
	}
	return ret;
}

#ifdef EDUDMA_FAULT_INJECTION
/* debug builds: debugfs submit_delay_ms (a test of the async submit path) */
static void edudma_fault_submit_delay(struct edudma_dev *edu)
{
	u32 ms = READ_ONCE(edu->submit_delay_ms);

	if (ms)
		msleep(ms);
}
#else
static void edudma_fault_submit_delay(struct edudma_dev *edu)
{
}
#endif

/* a prepared transfer that will not run: its fence ends with @err */
static void edudma_xfer_prep_put(struct edudma_xfer_prep *p, int err)
{
	if (p->fence) {
		edudma_xfer_fence_end(p->fence, err);
		dma_fence_put(p->fence);
	}
	edudma_buf_put(p->src);
	edudma_buf_put(p->dst);
}

/**
 * edudma_xfer_prepare() - check a transfer and take what it needs (ioctl and
 *	io_uring); edudma_xfer_commit() queues it
 * @ctx: the submitting file
 * @x: the transfer, copied in
 * @nowait: fail with -EAGAIN rather than sleep for fences
 * @p: out: its buffers and fence, for edudma_xfer_commit()
 *
 * Fences of the dma-bufs the transfer touches are waited for here, before
 * it is queued (implicit sync with their other users).
 *
 * Return: 0, or an errno with nothing taken.
 */
int edudma_xfer_prepare(struct edudma_file *ctx, const struct edudma_xfer *x, bool nowait,
			struct edudma_xfer_prep *p)
{
	int ret;

	*p = (struct edudma_xfer_prep){};
	ret = edudma_xfer_check(x);
	if (ret)
		return ret;
	if (x->op != EDUDMA_XFER_FROM_DEVICE) {
		p->src = edudma_xfer_range(ctx, x->src_handle, x->src_offset, x->length);
		if (IS_ERR(p->src)) {
			ret = PTR_ERR(p->src);
			p->src = NULL;
			return ret;
		}
	}
	if (x->op != EDUDMA_XFER_TO_DEVICE) {
		p->dst = edudma_xfer_range(ctx, x->dst_handle, x->dst_offset, x->length);
		if (IS_ERR(p->dst)) {
			ret = PTR_ERR(p->dst);
			p->dst = NULL;
			goto out_put;
		}
		/* an import of a dma-buf opened read-only, or read-only user memory */
		if (p->dst->readonly) {
			ret = -EACCES;
			goto out_put;
		}
	}
	/* fences and the exporter's CPU access hooks may sleep */
	if (nowait && ((p->src && edudma_dmabuf_fenced(p->src)) ||
		       (p->dst && edudma_dmabuf_fenced(p->dst)))) {
		ret = -EAGAIN;
		goto out_put;
	}
	ret = edudma_xfer_sync_in(ctx, p->src, p->dst, &p->fence);
	if (ret)
		goto out_put;
	ret = p->src ? edudma_dmabuf_dev_access(p->src, false, false) : 0;
	if (!ret && p->dst)
		ret = edudma_dmabuf_dev_access(p->dst, true, false);
	if (!ret)
		return 0;
out_put:
	edudma_xfer_prep_put(p, ret);
	return ret;
}

/**
 * edudma_xfer_commit() - queue a prepared transfer
 * @ctx: the submitting file
 * @x: the transfer; x->seq is set
 * @p: from edudma_xfer_prepare(): passed to the request, or put on error
 * @nowait: do not sleep for gone_lock
 * @notify: see edudma_xfer_queue()
 * @notify_data: see edudma_xfer_queue()
 *
 * Only the submission holds gone_lock, not the wait for the transfer:
 * remove() would wait for the whole transfer; the engine fails queued
 * transfers with -ENODEV at remove() instead.
 *
 * Return: the queued request (end it with edudma_xfer_end()), or an ERR_PTR.
 */
struct edudma_xfer_req *edudma_xfer_commit(struct edudma_file *ctx, struct edudma_xfer *x,
					   struct edudma_xfer_prep *p, bool nowait,
					   void (*notify)(struct edudma_xfer_req *req),
					   void *notify_data)
{
	struct edudma_dev *edu = ctx->edu;
	struct edudma_xfer_req *req;
	int ret;

	/* only remove() and shutdown() write-lock it, and both set gone */
	if (nowait ? !down_read_trylock(&edu->gone_lock) : down_read_killable(&edu->gone_lock)) {
		ret = nowait ? -ENODEV : -EINTR;
		goto err;
	}
	req = edu->gone ? ERR_PTR(-ENODEV) :
			  edudma_xfer_queue(&ctx->xf, x, p->src, p->dst, 0, 0, p->fence,
					    notify, notify_data, &x->seq);
	up_read(&edu->gone_lock);
	if (!IS_ERR(req))
		return req;
	ret = PTR_ERR(req);
err:
	edudma_xfer_prep_put(p, ret);
	return ERR_PTR(ret);
}

/**
 * edudma_xfer_end() - a finished transfer's last step: the exporter of an
 *	imported destination gets its CPU view back; then the request is reaped
 * @req: the request, finished and claimed by the caller
 */
void edudma_xfer_end(struct edudma_xfer_req *req)
{
	if (req->dst)
		edudma_dmabuf_dev_access(req->dst, true, true);
	edudma_xfer_reap(req);
}

static int edudma_ioc_xfer(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_xfer_req *req;
	struct edudma_xfer_prep prep;
	struct edudma_xfer arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	ret = edudma_xfer_prepare(ctx, &arg, false, &prep);
	if (ret)
		return ret;
	req = edudma_xfer_commit(ctx, &arg, &prep, false, NULL, NULL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	/* an async request may be reaped by a WAIT from now on: not ours to touch */
	if (arg.flags & EDUDMA_XFER_ASYNC) {
		edudma_fault_submit_delay(ctx->edu);
		return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
	}
	ret = edudma_xfer_wait(req);
	arg.commands = req->commands;
	arg.device_ns = edudma_xfer_device_ns(req);
	edudma_xfer_end(req);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/* no gone_lock: transfers failed by remove() can still be reaped */
static int edudma_ioc_wait(struct edudma_file *ctx, void __user *uarg)
{
	struct edudma_xfer_file *xf = &ctx->xf;
	struct edudma_xfer_req *req;
	struct edudma_wait arg;
	unsigned long timeout;
	long left;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	if (!edudma_xfer_take(xf, arg.seq, &req)) {
		if (!arg.timeout_ms)
			return -EAGAIN;
		timeout = arg.timeout_ms == EDUDMA_WAIT_FOREVER ? MAX_SCHEDULE_TIMEOUT :
								 msecs_to_jiffies(arg.timeout_ms);
		left = wait_event_killable_timeout(xf->wq, edudma_xfer_take(xf, arg.seq, &req),
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
	arg.device_ns = edudma_xfer_device_ns(req);
	arg.length = req->len;
	/* a result the caller cannot read stays to be reaped again */
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		edudma_xfer_unclaim(req);
		return -EFAULT;
	}
	edudma_xfer_end(req);
	return 0;
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
	case EDUDMA_IOC_REGISTER:
		handler = edudma_ioc_register;
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
	poll_wait(file, &ctx->xf.wq, wait);
	if (edudma_xfer_file_ready(&ctx->xf))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(edu->gone))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

/* edudma_buf_lookup(): the buffer is one of this file's handles */
static bool edudma_file_owns(struct edudma_buf *buf, void *data)
{
	struct edudma_file *ctx = data;

	return xa_load(&ctx->bufs, buf->handle) == buf;
}

/*
 * No gone_lock here: mmap runs under the caller's mmap_lock, and ioctls
 * take that lock (page faults in copy_to_user) under gone_lock. A buffer's
 * own lock orders mmap against remove() instead (edudma_buf_mmap()).
 */
static int edudma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct edudma_file *ctx = file->private_data;
	u64 len = vma->vm_end - vma->vm_start;
	struct edudma_buf *buf;
	u64 boff;
	int ret;

	/* MAP_PRIVATE would give copy-on-write copies the device never sees */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (READ_ONCE(ctx->edu->gone))
		return -ENODEV;
	buf = edudma_buf_lookup(ctx->edu, vma->vm_pgoff, edudma_file_owns, ctx);
	if (!buf)
		return -EINVAL;
	boff = (u64)(vma->vm_pgoff - buf->mmap_pgoff) << PAGE_SHIFT;
	if (len > buf->size - boff) {
		ret = -EINVAL;
		goto err_put;
	}
	ret = edudma_buf_mmap(buf, vma, boff, false);
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
	.uring_cmd = edudma_uring_cmd,
};
