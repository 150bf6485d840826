// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Async transfers against a racing or failing WAIT: every transfer is
 * reaped exactly once, whatever happens to the caller's memory or the
 * thread that submitted it. DMA-heavy: runs under qemu/run --fast-clock
 * with the other test_xfer* suites; run it on the debug kernel too (the
 * race below is a use-after-free only KASAN sees directly).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

#define PAGE 4096ULL

TestSuite(xfer_trust, .init = lab_init, .timeout = 300);

/* ---- 9: async XFER racing WAIT(seq = 0) ----------------------------------- */

#define PAIRS 2
#define PER_PAIR 50
#define OUTSTANDING 4

struct pair {
	int fd;
	uint32_t handle;
	atomic_uint submitted, reaped;
	atomic_int submit_done;
	uint64_t first_seq;
	unsigned long seq_gaps, submit_bad, submit_errno, wait_bad, wait_errno, bad_status;
	uint64_t gap_after, gap_got;
	unsigned char seen[PER_PAIR + 1];
	unsigned long dup, stray;
};

/* submits PER_PAIR one-byte transfers, at most OUTSTANDING not yet reaped */
static void *submitter(void *arg)
{
	struct pair *p = arg;
	uint64_t prev = 0;

	for (unsigned int i = 0; i < PER_PAIR; i++) {
		struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
					 .src_handle = p->handle, .src_offset = i, .length = 1 };
		int ret;

		/* sleep, not spin: an idle guest lets the fast clock jump */
		while (atomic_load(&p->submitted) - atomic_load(&p->reaped) >= OUTSTANDING)
			usleep(1000);
		ret = lab_ioctl(p->fd, EDUDMA_IOC_XFER, &x);
		if (ret) {
			p->submit_bad++;
			p->submit_errno = (unsigned long)-ret;
			break;
		}
		if (!i) {
			p->first_seq = x.seq;
		} else if (x.seq != prev + 1) {
			if (!p->seq_gaps++) {
				p->gap_after = prev;
				p->gap_got = x.seq;
			}
		}
		prev = x.seq;
		atomic_fetch_add(&p->submitted, 1);
	}
	atomic_store(&p->submit_done, 1);
	return NULL;
}

/* reaps whatever finishes, until the submitter is done and nothing is left */
static void *reaper(void *arg)
{
	struct pair *p = arg;

	for (;;) {
		struct edudma_wait w = { .seq = 0, .timeout_ms = 1000 };
		int done = atomic_load(&p->submit_done);
		int ret = lab_ioctl(p->fd, EDUDMA_IOC_WAIT, &w);

		if (ret == -ENOENT || ret == -ETIMEDOUT) {
			/* nothing outstanding (yet): the submitter may not have started */
			if (done && atomic_load(&p->reaped) >= atomic_load(&p->submitted))
				break;
			sched_yield();
			continue;
		}
		if (ret) {
			p->wait_bad++;
			p->wait_errno = (unsigned long)-ret;
			break;
		}
		if (w.status)
			p->bad_status++;
		/* first_seq is written before the first submission is counted */
		if (w.done_seq < 1 || w.done_seq > PER_PAIR)
			p->stray++;
		else if (p->seen[w.done_seq]++)
			p->dup++;
		atomic_fetch_add(&p->reaped, 1);
	}
	return NULL;
}

/*
 * One thread submits async transfers while another reaps them with
 * WAIT(seq = 0) as they finish: the submitter's seq numbers run 1, 2, 3...
 * in its file, the reaper gets each exactly once with status 0 (the
 * reaper may free a transfer the moment it finishes: the submitter must
 * not touch it after queueing it).
 */
Test(xfer_trust, async_submit_racing_wait_any, .timeout = 300)
{
	static struct pair p[PAIRS];
	pthread_t ts[PAIRS], tr[PAIRS];
	struct edudma_alloc a;

	memset(p, 0, sizeof(p));
	for (int i = 0; i < PAIRS; i++) {
		p[i].fd = lab_open(i % lab_edu_count());
		cr_assert_eq(lab_alloc(p[i].fd, PAGE, EDUDMA_BUF_COHERENT, &a), 0);
		p[i].handle = a.handle;
		cr_assert_eq(pthread_create(&tr[i], NULL, reaper, &p[i]), 0);
		cr_assert_eq(pthread_create(&ts[i], NULL, submitter, &p[i]), 0);
	}
	for (int i = 0; i < PAIRS; i++) {
		cr_assert_eq(pthread_join(ts[i], NULL), 0);
		cr_assert_eq(pthread_join(tr[i], NULL), 0);
	}
	for (int i = 0; i < PAIRS; i++) {
		struct pair *q = &p[i];

		cr_assert_eq(q->submit_bad, 0, "pair %d: XFER failed: %s", i,
			     strerror((int)q->submit_errno));
		cr_assert_eq(q->wait_bad, 0, "pair %d: WAIT failed: %s", i,
			     strerror((int)q->wait_errno));
		cr_assert_eq(q->first_seq, 1, "pair %d: first seq %llu", i,
			     (unsigned long long)q->first_seq);
		cr_assert_eq(q->seq_gaps, 0, "pair %d: %lu seq jumps, first %llu after %llu", i,
			     q->seq_gaps, (unsigned long long)q->gap_got,
			     (unsigned long long)q->gap_after);
		cr_assert_eq(q->stray + q->dup, 0, "pair %d: %lu reaped twice, %lu unknown seqs", i,
			     q->dup, q->stray);
		cr_assert_eq(q->bad_status, 0, "pair %d: %lu transfers failed", i, q->bad_status);
		cr_assert_eq(atomic_load(&q->reaped), PER_PAIR, "pair %d: reaped %u of %d", i,
			     atomic_load(&q->reaped), PER_PAIR);
		for (int s = 1; s <= PER_PAIR; s++)
			cr_assert_eq(q->seen[s], 1, "pair %d: seq %d reaped %d times", i, s,
				     q->seen[s]);
		cr_assert_eq(lab_free(q->fd, q->handle), 0);
		close(q->fd);
	}
}

/* ---- 15a: a WAIT whose answer cannot be written keeps the transfer -------- */

Test(xfer_trust, wait_copy_out_failure_keeps_the_transfer, .timeout = 60)
{
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC,
				 .length = 1 };
	struct edudma_wait *ro, w;
	struct edudma_alloc a;
	int fd = lab_open(0), ret;

	cr_assert_eq(lab_alloc(fd, PAGE, EDUDMA_BUF_COHERENT, &a), 0);
	x.src_handle = a.handle;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(ro, MAP_FAILED);
	*ro = (struct edudma_wait){ .seq = x.seq, .timeout_ms = EDUDMA_WAIT_FOREVER };
	cr_assert_eq(mprotect(ro, PAGE, PROT_READ), 0);
	/* readable, not writable: the transfer finishes, the answer cannot be given */
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, ro), -EFAULT);
	munmap(ro, PAGE);
	w = (struct edudma_wait){ .seq = x.seq, .timeout_ms = 10000 };
	ret = lab_ioctl(fd, EDUDMA_IOC_WAIT, &w);
	cr_assert_eq(ret, 0, "WAIT again: %s: the transfer went with the failed WAIT's answer",
		     strerror(-ret));
	cr_assert_eq(w.status, 0);
	cr_assert_eq(w.done_seq, x.seq);
	cr_assert_eq(w.length, 1);
	/* and it is reaped now: once only */
	w = (struct edudma_wait){ .seq = x.seq };
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), -ENOENT);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	close(fd);
}
