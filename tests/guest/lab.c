// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers for the in-guest Criterion suites. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lab.h"

void lab_init(void)
{
	if (!getenv("EDUDMA_LAB"))
		cr_skip_test("not inside the edudma lab (run through qemu/run)");
}

int lab_edu_count(void)
{
	const char *s = getenv("EDUDMA_EDU_COUNT");

	return s ? atoi(s) : 1;
}

int lab_iommu(void)
{
	const char *s = getenv("EDUDMA_IOMMU");

	return s && !strcmp(s, "1");
}

unsigned int lab_mask_bits(void)
{
	const char *s = getenv("EDUDMA_MASK_BITS");

	return s ? (unsigned int)atoi(s) : 28;
}

uint64_t lab_window(void)
{
	const char *s = getenv("EDUDMA_WINDOW");

	return s ? strtoull(s, NULL, 10) : 4095;
}

int lab_open(int minor)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/edudma%d", minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

void lab_bdf(int minor, char *bdf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/edudma/edudma%d/device", minor);
	n = readlink(path, target, sizeof(target) - 1);
	cr_assert(n > 0, "readlink %s: %s", path, strerror(errno));
	target[n] = '\0';
	snprintf(bdf, size, "%s", basename(target));
}

int lab_sysfs_driver(const char *what, const char *bdf)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/edudma/%s", what);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, bdf, strlen(bdf)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int lab_module_load(const char *params)
{
	const char *ko = getenv("EDUDMA_KO");
	int fd, ret = 0;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

int lab_module_unload(void)
{
	return syscall(SYS_delete_module, "edudma", O_NONBLOCK) ? -errno : 0;
}

int lab_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int lab_alloc(int fd, uint64_t size, uint32_t kind, struct edudma_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->size = size;
	a->kind = kind;
	return lab_ioctl(fd, EDUDMA_IOC_ALLOC, a);
}

int lab_free(int fd, uint32_t handle)
{
	struct edudma_free f = { .handle = handle };

	return lab_ioctl(fd, EDUDMA_IOC_FREE, &f);
}

void *lab_mmap(int fd, const struct edudma_alloc *a, uint64_t off, uint64_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(a->mmap_offset + off));
}

unsigned long lab_vm_pin_kb(void)
{
	unsigned long kb = ~0UL;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %lu kB", &kb) == 1)
			break;
	fclose(f);
	cr_assert_neq(kb, ~0UL, "no VmPin line");
	return kb;
}

void lab_stats(int fd, struct edudma_stats *st)
{
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_STATS, st), 0);
}

static uint64_t lab_word(uint64_t i, uint64_t seed)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL ^ seed;
}

void lab_fill(void *p, uint64_t len, uint64_t seed)
{
	uint64_t *w = p, i;
	unsigned char *b = p;

	for (i = 0; i < len / 8; i++)
		w[i] = lab_word(i, seed);
	for (i = len & ~7ULL; i < len; i++)
		b[i] = (unsigned char)lab_word(i, seed);
}

uint64_t lab_check(const void *p, uint64_t len, uint64_t seed)
{
	const uint64_t *w = p;
	const unsigned char *b = p;
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != lab_word(i, seed))
			return i * 8;
	for (i = len & ~7ULL; i < len; i++)
		if (b[i] != (unsigned char)lab_word(i, seed))
			return i;
	return len;
}

uint64_t lab_check_zero(const void *p, uint64_t len)
{
	const unsigned char *b = p;

	for (uint64_t i = 0; i < len; i++)
		if (b[i])
			return i;
	return len;
}

uint64_t lab_ram(void)
{
	struct sysinfo si;

	cr_assert_eq(sysinfo(&si), 0);
	return (uint64_t)si.totalram * si.mem_unit;
}

uint64_t lab_ram_top(void)
{
	unsigned long long start, end, top = 0;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		/* top-level lines only: "00100000-7ffdffff : System RAM" */
		if (line[0] != ' ' && strstr(line, ": System RAM") &&
		    sscanf(line, "%llx-%llx", &start, &end) == 2 && end > top)
			top = end;
	}
	fclose(f);
	cr_assert_gt(top, 0, "no System RAM in /proc/iomem (not root?)");
	return top;
}

bool lab_can_import(void)
{
	unsigned int bits = lab_mask_bits();

	return lab_iommu() || bits >= 64 || lab_ram_top() < (1ULL << bits);
}

unsigned long lab_param(const char *name, unsigned long value)
{
	char path[128], buf[64];
	unsigned long old;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/edudma/parameters/%s", name);
	f = fopen(path, "r+");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	old = strtoul(buf, NULL, 10);
	rewind(f);
	cr_assert_gt(fprintf(f, "%lu\n", value), 0);
	cr_assert_eq(fclose(f), 0);
	return old;
}

int lab_run_cli(const char *args, char *out, size_t size, bool with_stderr)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/build/bin/edudma %s %s", getenv("EDUDMA_ROOT"), args,
		 with_stderr ? "2>&1" : "2>/dev/null");
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (n + 1 < size && fgets(out + n, (int)(size - n), p))
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(p);
	cr_assert(WIFEXITED(st), "%s: did not exit", cmd);
	return WEXITSTATUS(st);
}

struct json_object *lab_cli_json(const char *args, int *rc)
{
	static char out[1 << 20];
	struct json_tokener *tok;
	struct json_object *o;
	size_t n = 0, len;
	char cmd[2048];
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/build/bin/edudma %s 2>/dev/null", getenv("EDUDMA_ROOT"),
		 args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (n + 1 < sizeof(out) && (len = fread(out + n, 1, sizeof(out) - 1 - n, p)) > 0)
		n += len;
	out[n] = '\0';
	st = pclose(p);
	cr_assert(WIFEXITED(st), "%s: did not exit", cmd);
	*rc = WEXITSTATUS(st);
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, out, (int)n);
	cr_assert_not_null(o, "%s: not JSON (%s): '%s'", cmd,
			   json_tokener_error_desc(json_tokener_get_error(tok)), out);
	len = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	cr_assert_eq(strspn(out + len, " \n"), n - len, "%s: more after the document: '%s'", cmd,
		     out + len);
	return o;
}

/* the value at @path, and whether there is one */
static bool json_walk(struct json_object *o, const char *path, struct json_object **out)
{
	char buf[256], *save, *key;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			char *end;
			long i = strtol(key, &end, 10);

			if (*end || i < 0 || (size_t)i >= json_object_array_length(o))
				return false;
			o = json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_object_get_ex(o, key, &o)) {
			return false;
		}
	}
	*out = o;
	return true;
}

struct json_object *lab_json(struct json_object *o, const char *path)
{
	struct json_object *v;

	cr_assert(json_walk(o, path, &v), "no '%s' in %s", path, json_object_to_json_string(o));
	cr_assert_not_null(v, "'%s' is null in %s", path, json_object_to_json_string(o));
	return v;
}

bool lab_json_has(struct json_object *o, const char *path)
{
	struct json_object *v;

	return json_walk(o, path, &v);
}

int lab_host(const char *request)
{
	char req[512], tmp[600], resp[512], answer[256] = "";
	FILE *f;

	snprintf(req, sizeof(req), "%s/host-request", getenv("EDUDMA_OUT"));
	snprintf(tmp, sizeof(tmp), "%s.tmp", req);
	snprintf(resp, sizeof(resp), "%s/host-response", getenv("EDUDMA_OUT"));
	unlink(resp);
	f = fopen(tmp, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", request);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(rename(tmp, req), 0);
	if (lab_wait_path(resp, true, 90000))
		return -ETIMEDOUT;
	f = fopen(resp, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(answer, sizeof(answer), f));
	fclose(f);
	unlink(resp);
	return strcmp(answer, "ok\n") ? -EIO : 0;
}

int lab_wait_path(const char *path, bool want, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		if ((access(path, F_OK) == 0) == want)
			return 0;
		usleep(50 * 1000);
	}
	return -ETIMEDOUT;
}

int lab_param_get(const char *name, unsigned long *value)
{
	char path[128], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/edudma/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*value = strtoul(buf, NULL, 10);
	return 0;
}

int lab_param_set(const char *name, unsigned long value)
{
	char path[128], buf[32];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/edudma/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lu\n", value);
	if (write(fd, buf, (size_t)n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

int lab_xfer(int fd, uint32_t op, uint32_t src, uint64_t src_off, uint32_t dst, uint64_t dst_off,
	     uint64_t len)
{
	struct edudma_xfer x = { .op = op, .src_handle = src, .src_offset = src_off,
				 .dst_handle = dst, .dst_offset = dst_off, .length = len };

	return lab_ioctl(fd, EDUDMA_IOC_XFER, &x);
}

static sigjmp_buf lab_bus_jump;

static void lab_on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(lab_bus_jump, 1);
}

/* lab_check() or lab_fill() over p, a SIGBUS turned into *bus */
static uint64_t lab_walk_nobus(void *p, uint64_t len, uint64_t seed, bool fill, bool *bus)
{
	struct sigaction sa = { .sa_handler = lab_on_sigbus }, old;
	volatile uint64_t *w = p;
	volatile unsigned char *b = p;
	volatile uint64_t at = 0;
	uint64_t i;

	*bus = false;
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(lab_bus_jump, 1)) {
		*bus = true;
		goto out;
	}
	for (i = 0; i < len / 8; i++) {
		at = i * 8;
		if (fill)
			w[i] = lab_word(i, seed);
		else if (w[i] != lab_word(i, seed))
			goto out;
	}
	for (i = len & ~7ULL; i < len; i++) {
		at = i;
		if (fill)
			b[i] = (unsigned char)lab_word(i, seed);
		else if (b[i] != (unsigned char)lab_word(i, seed))
			goto out;
	}
	at = len;
out:
	sigaction(SIGBUS, &old, NULL);
	return at;
}

uint64_t lab_check_nobus(const void *p, uint64_t len, uint64_t seed, bool *bus)
{
	return lab_walk_nobus((void *)p, len, seed, false, bus);
}

uint64_t lab_fill_nobus(void *p, uint64_t len, uint64_t seed, bool *bus)
{
	return lab_walk_nobus(p, len, seed, true, bus);
}

void lab_buf_alloc(int fd, uint64_t size, uint32_t kind, struct lab_buf *b)
{
	cr_assert_eq(lab_alloc(fd, size, kind, &b->a), 0, "alloc %llu kind %u",
		     (unsigned long long)size, kind);
	b->p = lab_mmap(fd, &b->a, 0, b->a.size);
	cr_assert_neq(b->p, MAP_FAILED, "mmap: %s", strerror(errno));
}

void lab_buf_free(int fd, struct lab_buf *b)
{
	munmap(b->p, b->a.size);
	cr_assert_eq(lab_free(fd, b->a.handle), 0);
}

bool lab_kernel_at_least(unsigned int major, unsigned int minor)
{
	unsigned int ma = 0, mi = 0;
	struct utsname u;

	cr_assert_eq(uname(&u), 0);
	cr_assert_eq(sscanf(u.release, "%u.%u", &ma, &mi), 2, "release %s", u.release);
	return ma > major || (ma == major && mi >= minor);
}

void lab_need_path(const char *path, const char *config)
{
	struct utsname u;

	if (!access(path, F_OK))
		return;
	cr_assert_eq(errno, ENOENT, "%s: %s", path, strerror(errno));
	cr_assert_eq(uname(&u), 0);
	cr_skip_test("%s: no %s (%s)", u.release, path, config);
}
