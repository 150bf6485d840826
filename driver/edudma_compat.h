/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma compat: the kernel interfaces that changed between the oldest
 * kernel edudma supports (6.1) and the newest, one named helper each. The
 * rest of the driver calls these and reads as written for one kernel.
 */
#ifndef EDUDMA_COMPAT_H
#define EDUDMA_COMPAT_H

#include <linux/mm.h>

/*
 * Feature tests, not version numbers: driver/Kbuild defines EDUDMA_HAVE_*
 * when the kernel's headers declare the interface.
 */

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

#endif /* EDUDMA_COMPAT_H */
