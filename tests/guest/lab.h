/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the in-guest Criterion suites. */
#ifndef EDUDMA_TEST_LAB_H
#define EDUDMA_TEST_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "libedudma.h"

/* Suite .init: skip unless inside the lab (qemu/run sets EDUDMA_LAB). */
void lab_init(void);
/* Number of edu devices the lab booted with. */
int lab_edu_count(void);
/* the lab booted with an IOMMU (qemu/run --iommu) */
int lab_iommu(void);
/* DMA mask width the lab set (EDUDMA_MASK_BITS). */
unsigned int lab_mask_bits(void);
/* bytes one DMA command moves, as the lab set it (EDUDMA_WINDOW: 4095 on
 * QEMU 7.2, 4096 with full_window on QEMU 10) */
uint64_t lab_window(void);
/* open("/dev/edudmaN", O_RDWR | O_CLOEXEC), asserting success */
int lab_open(int minor);
/* the PCI address of /dev/edudmaN from sysfs, into bdf[16] */
void lab_bdf(int minor, char *bdf, size_t size);
/* write bdf to /sys/bus/pci/drivers/edudma/{bind,unbind}; 0 or -errno */
int lab_sysfs_driver(const char *what, const char *bdf);
/* load edudma.ko (EDUDMA_KO) with params; unload it: 0 or -errno */
int lab_module_load(const char *params);
int lab_module_unload(void);
/* ioctl returning 0 or -errno */
int lab_ioctl(int fd, unsigned long cmd, void *arg);
/* EDUDMA_IOC_ALLOC: 0 or -errno; fills *a */
int lab_alloc(int fd, uint64_t size, uint32_t kind, struct edudma_alloc *a);
/* EDUDMA_IOC_FREE: 0 or -errno */
int lab_free(int fd, uint32_t handle);
/* mmap len bytes of a buffer from byte off, MAP_SHARED; MAP_FAILED on error */
void *lab_mmap(int fd, const struct edudma_alloc *a, uint64_t off, uint64_t len);
/* EDUDMA_IOC_STATS, asserting success */
void lab_stats(int fd, struct edudma_stats *st);
/* kB of this process's pinned memory (mm->pinned_vm: VmPin in /proc/self/status) */
unsigned long lab_vm_pin_kb(void);
/* write / check a pattern tied to seed over len bytes; check returns the
 * first differing offset or len */
void lab_fill(void *p, uint64_t len, uint64_t seed);
uint64_t lab_check(const void *p, uint64_t len, uint64_t seed);
uint64_t lab_check_zero(const void *p, uint64_t len);
/* run "build/bin/edudma ARGS", stdout (and stderr) into out; the exit status */
int lab_run_cli(const char *args, char *out, size_t size, bool with_stderr);
/*
 * lab_cli_json() - run the CLI with @args (stderr dropped) and parse its
 * stdout as exactly one JSON document (the test fails if it is not).
 * @rc: out: the exit status. Free the result with json_object_put().
 */
struct json_object *lab_cli_json(const char *args, int *rc);
/* lab_json() - the value at @path ("rows.0.kind"); the test fails if none */
struct json_object *lab_json(struct json_object *o, const char *path);
/* lab_json_has() - whether @path names a value (null counts as one) */
bool lab_json_has(struct json_object *o, const char *path);
/* ask the host (qemu/run --hotplug) to "unplug eduN" or "replug eduN"; 0 or -EIO */
int lab_host(const char *request);
/* wait up to ms for path to exist (want) or not (!want): 0 or -ETIMEDOUT */
int lab_wait_path(const char *path, bool want, int ms);
/* the running kernel is at least major.minor (uname -r) */
bool lab_kernel_at_least(unsigned int major, unsigned int minor);
/*
 * lab_need_path() - skip the test unless @path exists, with the reason
 * "<uname -r>: no <path> (<config>)": tests/summary counts such a skip as a
 * failure unless docs/kernels.md ("Expected skips") lists that kernel and test
 */
void lab_need_path(const char *path, const char *config);
/* guest RAM in bytes */
uint64_t lab_ram(void);
/* end of the highest "System RAM" range of /proc/iomem (inclusive) */
uint64_t lab_ram_top(void);
/* the driver imports dma-bufs on this lab: an IOMMU, or a mask reaching all RAM */
bool lab_can_import(void);
/* write a module parameter through sysfs (asserting success); returns the old value */
unsigned long lab_param(const char *name, unsigned long value);

/* read / write a module parameter through sysfs without asserting: 0 or -errno */
int lab_param_get(const char *name, unsigned long *value);
int lab_param_set(const char *name, unsigned long value);
/* one blocking EDUDMA_IOC_XFER (handles 0 where the op has none): 0 or -errno */
int lab_xfer(int fd, uint32_t op, uint32_t src, uint64_t src_off, uint32_t dst, uint64_t dst_off,
	     uint64_t len);
/*
 * lab_check() and lab_fill() that survive a SIGBUS (single-threaded callers):
 * *bus tells whether one hit; lab_check_nobus() then returns the offset
 * being read, lab_fill_nobus() returns the offset being written (else len).
 */
uint64_t lab_check_nobus(const void *p, uint64_t len, uint64_t seed, bool *bus);
uint64_t lab_fill_nobus(void *p, uint64_t len, uint64_t seed, bool *bus);

/* a buffer and its whole-buffer mapping, both asserted */
struct lab_buf {
	struct edudma_alloc a;
	uint8_t *p;
};

void lab_buf_alloc(int fd, uint64_t size, uint32_t kind, struct lab_buf *b);
/* unmap and FREE (asserting success) */
void lab_buf_free(int fd, struct lab_buf *b);

#endif
