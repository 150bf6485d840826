/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma compat: the kernel interfaces that changed between the oldest
 * kernel edudma supports (6.1) and the newest it is tested on (7.3), one
 * named helper each. The rest of the driver calls these and reads as
 * written for the newest kernel.
 *
 * Feature tests, not version numbers: a macro the kernel defines is tested
 * here directly; for functions, driver/Kbuild defines EDUDMA_HAVE_* when
 * the kernel's headers declare the interface.
 */
#ifndef EDUDMA_COMPAT_H
#define EDUDMA_COMPAT_H

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/timer.h>

/* 6.3: vma->vm_flags became read-only; vm_flags_set()/vm_flags_clear() */
#ifndef EDUDMA_HAVE_VM_FLAGS_SET
static inline void edudma_vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void edudma_vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#else
static inline void edudma_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void edudma_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#endif

/* 6.8: PCI_IRQ_LEGACY renamed PCI_IRQ_INTX (the old name went in 6.10) */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/* 6.12: dma_set_max_seg_size() returns void (it cannot fail any more) */
static inline int edudma_dma_set_max_seg_size(struct device *dev, unsigned int size)
{
#ifdef EDUDMA_HAVE_VOID_MAX_SEG_SIZE
	dma_set_max_seg_size(dev, size);
	return 0;
#else
	return dma_set_max_seg_size(dev, size);
#endif
}

/* 6.13: MODULE_IMPORT_NS() takes a string literal, not a bare word */
#ifdef EDUDMA_HAVE_IMPORT_NS_STRING
#define EDUDMA_MODULE_IMPORT_NS(ns) MODULE_IMPORT_NS(ns)
#else
#define EDUDMA_MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, ns)
#endif

/* 6.16: from_timer() renamed timer_container_of() */
#ifdef timer_container_of
#define edudma_timer_container_of(var, t, field) timer_container_of(var, t, field)
#else
#define edudma_timer_container_of(var, t, field) from_timer(var, t, field)
#endif

/*
 * 6.18: nth_page() removed: the pages of one sg segment or compound page
 * are contiguous in the memmap, so page + n is the n-th page (as nth_page()
 * already was with x86-64's SPARSEMEM_VMEMMAP)
 */
#ifdef nth_page
#define edudma_nth_page(page, n) nth_page(page, n)
#else
#define edudma_nth_page(page, n) ((page) + (n))
#endif

#ifdef CONFIG_IO_URING
/* 6.7: the driver interface of io_uring moved to <linux/io_uring/cmd.h> */
#ifdef EDUDMA_HAVE_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

/*
 * The payload of a 128-byte SQE (IO_URING_F_SQE128): 80 bytes.
 * 6.6: struct io_uring_cmd points at the whole SQE, no longer at its cmd;
 * after 6.12 (7.3 has it): io_uring_sqe128_cmd() checks the size built in.
 */
#if defined(io_uring_sqe128_cmd)
#define edudma_uring_sqe128_cmd(ioucmd, type) io_uring_sqe128_cmd((ioucmd)->sqe, type)
#elif defined(EDUDMA_HAVE_URING_CMD_SQE)
#define edudma_uring_sqe128_cmd(ioucmd, type) ((const type *)(ioucmd)->sqe->cmd)
#else
#define edudma_uring_sqe128_cmd(ioucmd, type) ((const type *)(ioucmd)->cmd)
#endif

/*
 * After 6.12 (7.3 has it): io_uring_cmd_done() lost its res2 argument,
 * which went to io_uring_cmd_done32() (a 32-byte CQE's first extra word).
 */
static inline void edudma_uring_cmd_done(struct io_uring_cmd *ioucmd, s32 res, u64 res2,
					 bool cqe32, unsigned int issue_flags)
{
#ifdef EDUDMA_HAVE_URING_DONE32
	if (cqe32)
		io_uring_cmd_done32(ioucmd, res, res2, issue_flags);
	else
		io_uring_cmd_done(ioucmd, res, issue_flags);
#else
	io_uring_cmd_done(ioucmd, res, cqe32 ? res2 : 0, issue_flags);
#endif
}

/*
 * After 6.12 (7.3 has it): task-work callbacks take a struct io_tw_req and
 * a token, not the command and issue flags. EDUDMA_URING_TW(name, fn)
 * defines callback @name that calls fn(ioucmd, issue_flags) either way.
 */
#ifdef EDUDMA_HAVE_URING_TW_REQ
#define EDUDMA_URING_TW(name, fn)						\
static void name(struct io_tw_req tw_req, io_tw_token_t tw)			\
{										\
	fn(io_uring_cmd_from_tw(tw_req), IO_URING_CMD_TASK_WORK_ISSUE_FLAGS);	\
}
#else
#define EDUDMA_URING_TW(name, fn)						\
static void name(struct io_uring_cmd *ioucmd, unsigned int issue_flags)	\
{										\
	fn(ioucmd, issue_flags);						\
}
#endif

/*
 * 6.7: a command marked cancelable is handed back with IO_URING_F_CANCEL
 * when its ring or task goes away; before, io_uring waits for it to end.
 */
#ifdef EDUDMA_HAVE_URING_CANCEL
#define EDUDMA_URING_CAN_CANCEL true
#define edudma_uring_cmd_cancel_requested(flags) ((flags) & IO_URING_F_CANCEL)
#define edudma_uring_cmd_mark_cancelable(ioucmd, flags) io_uring_cmd_mark_cancelable(ioucmd, flags)
#else
#define EDUDMA_URING_CAN_CANCEL false
#define edudma_uring_cmd_cancel_requested(flags) false
#define edudma_uring_cmd_mark_cancelable(ioucmd, flags) do { } while (0)
#endif
#endif /* CONFIG_IO_URING */

#endif /* EDUDMA_COMPAT_H */
