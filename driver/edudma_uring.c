// SPDX-License-Identifier: GPL-2.0
/*
 * edudma io_uring: IORING_OP_URING_CMD on /dev/edudmaN. The command
 * EDUDMA_URING_CMD_XFER carries a struct edudma_xfer in a 128-byte SQE and
 * queues it as EDUDMA_IOC_XFER does: the same checks and errnos, the same
 * engine and per-file limit, no thread per transfer. The engine's end of
 * the transfer posts its CQE from the submitter's task work: res is the
 * transfer's DMA commands (at least 1) or its negative errno; with 32-byte
 * CQEs, big_cqe[0] is its device time in ns.
 *
 * Cancellation: from 6.7 on, io_uring hands a command back with
 * IO_URING_F_CANCEL when its ring or its task goes away; the transfer then
 * ends with -ECANCELED at its next chunk boundary. Before 6.7 io_uring waits
 * for the transfer, whose every command the watchdog bounds. Either way the
 * request holds the file: edudma_release() never sees a uring transfer.
 */
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "edudma.h"
#include "edudma_compat.h"

/**
 * struct edudma_uring_pdu - what a command keeps in its struct io_uring_cmd
 * @req: the finished transfer, set by edudma_uring_notify() for the task work
 * @cqe32: the ring has 32-byte CQEs
 */
struct edudma_uring_pdu {
	struct edudma_xfer_req *req;
	bool cqe32;
};

static struct edudma_uring_pdu *edudma_uring_pdu(struct io_uring_cmd *ioucmd)
{
	BUILD_BUG_ON(sizeof(struct edudma_uring_pdu) > sizeof(ioucmd->pdu));
	return (struct edudma_uring_pdu *)ioucmd->pdu;
}

/* the submitter's task work: the CQE of a finished transfer */
static void edudma_uring_complete(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct edudma_uring_pdu *pdu = edudma_uring_pdu(ioucmd);
	struct edudma_xfer_req *req = pdu->req;
	s32 res = req->status ? req->status : (s32)min_t(u64, req->commands, S32_MAX);
	u64 device_ns = edudma_xfer_device_ns(req);

	edudma_xfer_end(req);
	edudma_uring_cmd_done(ioucmd, res, device_ns, pdu->cqe32, issue_flags);
}

EDUDMA_URING_TW(edudma_uring_complete_tw, edudma_uring_complete)

/* the engine finished @req: under xfer_lock, maybe in hard interrupt context */
static void edudma_uring_notify(struct edudma_xfer_req *req)
{
	struct io_uring_cmd *ioucmd = req->notify_data;

	edudma_uring_pdu(ioucmd)->req = req;
	io_uring_cmd_complete_in_task(ioucmd, edudma_uring_complete_tw);
}

/**
 * edudma_uring_cmd() - file_operations.uring_cmd of /dev/edudmaN
 * @ioucmd: the command
 * @issue_flags: IO_URING_F_*
 *
 * Return: -EIOCBQUEUED once the transfer is queued (or failed after it was
 * marked cancelable: then the CQE is posted here), -EAGAIN to be issued
 * again from a context that may sleep, or the errno for the CQE.
 */
int edudma_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct edudma_file *ctx = ioucmd->file->private_data;
	struct edudma_uring_pdu *pdu = edudma_uring_pdu(ioucmd);
	bool nowait = issue_flags & IO_URING_F_NONBLOCK;
	struct edudma_xfer_req *req;
	struct edudma_xfer_prep prep;
	struct edudma_xfer x;
	int ret;

	/*
	 * io_uring calls this under its uring_lock, as it runs the task work
	 * that ends the command: the command is still queued or finished
	 */
	if (edudma_uring_cmd_cancel_requested(issue_flags)) {
		edudma_xfer_cancel_notified(&ctx->xf, ioucmd, -ECANCELED);
		return 0;
	}
	if (ioucmd->cmd_op != EDUDMA_URING_CMD_XFER)
		return -ENOTTY;
	/* a struct edudma_xfer does not fit the 16 bytes of a 64-byte SQE */
	if (!(issue_flags & IO_URING_F_SQE128))
		return -EINVAL;
	/* read once: the SQE may be in memory that userspace writes meanwhile */
	memcpy(&x, edudma_uring_sqe128_cmd(ioucmd, struct edudma_xfer), sizeof(x));
	/* the CQE is the completion: no EDUDMA_XFER_ASYNC */
	if (x.flags)
		return -EINVAL;
	ret = edudma_xfer_prepare(ctx, &x, nowait, &prep);
	if (ret)
		return ret;
	pdu->cqe32 = issue_flags & IO_URING_F_CQE32;
	/* before it is queued: once queued it may end, and be freed, at once */
	edudma_uring_cmd_mark_cancelable(ioucmd, issue_flags);
	req = edudma_xfer_commit(ctx, &x, &prep, nowait, edudma_uring_notify, ioucmd);
	if (IS_ERR(req)) {
		if (!EDUDMA_URING_CAN_CANCEL)
			return PTR_ERR(req);
		/* only io_uring_cmd_done() takes it off the cancelable list */
		edudma_uring_cmd_done(ioucmd, PTR_ERR(req), 0, pdu->cqe32, issue_flags);
	}
	return -EIOCBQUEUED;
}

/* EDUDMA_CAP_* bits of the io_uring interface of this kernel */
u64 edudma_uring_caps(void)
{
	return EDUDMA_CAP_URING | (EDUDMA_URING_CAN_CANCEL ? EDUDMA_CAP_URING_CANCEL : 0);
}
