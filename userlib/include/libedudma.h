/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libedudma: userspace access to edudma devices (/dev/edudmaN).
 *
 * Conventions: every call returns 0 or a negative errno (never sets errno
 * as its result); every constructor names its destructor; destructors
 * accept NULL; file descriptors are opened O_CLOEXEC. Structures shared
 * with the driver are the uapi ones from <linux/edudma.h>.
 */
#ifndef LIBEDUDMA_H
#define LIBEDUDMA_H

#include <stddef.h>
#include <stdint.h>

#include <linux/edudma.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open edudma device; from edudma_open(), freed by edudma_close(). */
struct edudma;

/** One edu PCI device found by edudma_list(). */
struct edudma_pci {
	unsigned int domain;	/**< PCI domain */
	unsigned int bus;	/**< PCI bus */
	unsigned int dev;	/**< PCI device (slot) */
	unsigned int func;	/**< PCI function */
	uint16_t vendor_id;	/**< 0x1234 */
	uint16_t device_id;	/**< 0x11e8 */
	uint8_t revision;	/**< PCI revision */
	uint64_t bar0_size;	/**< BAR0 size in bytes */
	int irq;		/**< legacy IRQ line from config space */
	int minor;		/**< N of /dev/edudmaN, -1 if not bound to edudma */
	char devnode[32];	/**< "/dev/edudmaN", or "" if not bound */
	char driver[32];	/**< bound driver's name, or "" */
};

/**
 * edudma_list() - find every edu device on the PCI bus (libpciaccess) and
 * match each to its /dev/edudmaN through sysfs.
 * @list: out: array, freed with edudma_list_free()
 * @count: out: number of entries
 * Not thread-safe (libpciaccess keeps global state).
 */
int edudma_list(struct edudma_pci **list, size_t *count);
/** edudma_list_free() - free what edudma_list() returned (NULL is fine). */
void edudma_list_free(struct edudma_pci *list);

/**
 * edudma_open() - open an edudma device
 * @name: "/dev/edudmaN", "N", or a PCI address "[DDDD:]BB:DD.F"
 * @out: out: the device, freed with edudma_close()
 */
int edudma_open(const char *name, struct edudma **out);
/** edudma_close() - close a device from edudma_open() (NULL is fine). */
void edudma_close(struct edudma *e);
/** edudma_fd() - the device's file descriptor, for poll() */
int edudma_fd(const struct edudma *e);

/** edudma_get_info() - EDUDMA_IOC_GET_INFO */
int edudma_get_info(struct edudma *e, struct edudma_info *info);
/**
 * edudma_factorial() - n! computed by the device (EDUDMA_IOC_FACTORIAL)
 * @flags: 0 or EDUDMA_FACTORIAL_WRAP (see <linux/edudma.h>)
 */
int edudma_factorial(struct edudma *e, uint32_t n, uint32_t flags, uint32_t *result);
/** edudma_liveness() - write @value to the liveness register, read back */
int edudma_liveness(struct edudma *e, uint32_t value, uint32_t *result);
/** edudma_selftest() - one DMA round trip, data compared (-EIO if not) */
int edudma_selftest(struct edudma *e, struct edudma_selftest *st);

/**
 * edudma_parse_size() - parse "4096", "64K", "1M", "2G", "1T" (powers of
 * 1024; optional "iB"/"B"), or hexadecimal "0x1000".
 * Return: 0, or -EINVAL for anything else, -ERANGE past 2^64 - 1.
 */
int edudma_parse_size(const char *s, uint64_t *out);
/**
 * edudma_parse_bdf() - parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0).
 * Return: 0 or -EINVAL.
 */
int edudma_parse_bdf(const char *s, unsigned int *domain, unsigned int *bus,
		     unsigned int *dev, unsigned int *func);
/** edudma_version() - the library's version string, e.g. "0.1.0" */
const char *edudma_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBEDUDMA_H */
