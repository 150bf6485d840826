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

#endif /* EDUDMA_COMPAT_H */
