/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic sources of clif-cardsim, run on the traffic thread: a pcap file (libpcap, Ethernet
 * only, optionally paced and replayed), the data-plane testbench's random frame generator
 * (hls/tb/pktgen.h), or two network interfaces with the card as a bump in the wire (AF_PACKET:
 * every frame received on one is sent unchanged on the other and runs through the data plane).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cardsim.h"
#include "pktgen.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static pcap_t *g_pcap;
static int g_src_failed;

/* ---- pacing (--rate): frame k is due at start + k / rate seconds ---- */

struct pacer {
	uint64_t rate; /* 0: no pacing */
	uint64_t start_ns;
	uint64_t k;
};

static uint64_t pace_due(const struct pacer *p)
{
	return p->start_ns + p->k / p->rate * 1000000000ull + p->k % p->rate * 1000000000ull / p->rate;
}

/* Sleeps until dl (CLOCK_MONOTONIC); returns early once stopping. */
static void wait_until(uint64_t dl)
{
	for (;;) {
		uint64_t now = cs_mono_ns(), until;
		struct timespec ts;

		if (now >= dl || cs_stopping())
			return;
		until = dl - now > 50000000ull ? now + 50000000ull : dl;
		ts.tv_sec = (time_t)(until / 1000000000ull);
		ts.tv_nsec = (long)(until % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

/* pcap and generator: the forwarded copy goes nowhere, so every frame processed is out. */
static void flush(struct cardsim *cs, struct cs_burst *b)
{
	if (!b->n)
		return;
	cs_dp_run(cs, b);
	cs_frames_out(cs, b->n);
	b->n = 0;
}

/* Before frame b->n is added: waits for its due time (delivering what is waiting first). */
static void pace(struct cardsim *cs, struct pacer *p, struct cs_burst *b)
{
	uint64_t due;

	if (!p->rate)
		return;
	due = pace_due(p);
	if (due > cs_mono_ns()) {
		flush(cs, b);
		wait_until(due);
	}
	p->k++;
}

/* ---- pcap ---- */

static pcap_t *pcap_open_checked(const char *file)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(file, errbuf);
	int dlt;

	if (!p) {
		cs_err("cannot read pcap %s: %s", file, errbuf);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		cs_err("%s: link type %d (%s) is not Ethernet: clif-cardsim reads DLT_EN10MB captures only", file, dlt,
		       name ? name : "unknown");
		pcap_close(p);
		return NULL;
	}
	return p;
}

static void run_pcap(struct cardsim *cs)
{
	struct pacer pc = { cs->o.rate, cs_mono_ns(), 0 };
	struct cs_burst b = { 0 };
	uint64_t pass;

	for (pass = 0; !cs_stopping() && (!cs->o.loops || pass < cs->o.loops); pass++) {
		uint64_t got = 0;

		if (!g_pcap) {
			g_pcap = pcap_open_checked(cs->o.pcap);
			if (!g_pcap) {
				g_src_failed = 1;
				break;
			}
		}
		while (!cs_stopping()) {
			struct pcap_pkthdr *h;
			const u_char *data;
			int rc = pcap_next_ex(g_pcap, &h, &data);

			if (rc == PCAP_ERROR_BREAK)
				break;
			if (rc == PCAP_ERROR) {
				cs_err("%s: %s", cs->o.pcap, pcap_geterr(g_pcap));
				g_src_failed = 1;
				break;
			}
			if (rc != 1)
				continue;
			got++;
			if (h->len > CLIF_DP_MAX_FRAME || h->caplen > CLIF_DP_MAX_FRAME) {
				cs->oversize++; /* the MAC drops frames longer than it takes */
				continue;
			}
			if (h->caplen < h->len)
				cs->short_caps++;
			pace(cs, &pc, &b);
			memcpy(cs_frame_buf(b.n), data, h->caplen);
			b.meta[b.n].frame_len = (uint16_t)h->caplen;
			b.meta[b.n].vport = 0;
			b.meta[b.n].rsvd = 0;
			if (++b.n == CLIF_DP_BURST)
				flush(cs, &b);
		}
		pcap_close(g_pcap);
		g_pcap = NULL;
		if (g_src_failed || !got)
			break; /* an empty file is not replayed forever */
	}
	flush(cs, &b);
}

/* ---- generator ---- */

static void run_gen(struct cardsim *cs)
{
	static struct pkt_pool pool;
	struct pacer pc = { cs->o.rate, cs_mono_ns(), 0 };
	struct cs_burst b = { 0 };
	struct pkt_rng rng;
	uint64_t k;

	pkt_rng_seed(&rng, cs->o.seed);
	pkt_pool_init(&pool, &rng);
	for (k = 0; !cs_stopping() && (!cs->o.gen_frames || k < cs->o.gen_frames); k++) {
		uint16_t vport = 0;

		pace(cs, &pc, &b);
		b.meta[b.n].frame_len = pkt_random(&rng, &pool, cs_frame_buf(b.n), &vport);
		b.meta[b.n].vport = vport;
		b.meta[b.n].rsvd = 0;
		if (++b.n == CLIF_DP_BURST)
			flush(cs, &b);
	}
	flush(cs, &b);
}

/* ---- wire ---- */

static int wire_open(struct cardsim *cs, int side, const char *ifname)
{
	struct packet_mreq mr;
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int fd, one = 1, rcvbuf = 4 << 20;
	unsigned idx;

	/* Protocol 0: nothing arrives until bind() names the interface. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			cs_err("--wire needs CAP_NET_RAW (run as root): %s", strerror(errno));
		else
			cs_err("cannot open a packet socket: %s", strerror(errno));
		return -1;
	}
	idx = if_nametoindex(ifname);
	if (!idx) {
		cs_err("--wire: no network interface named %s", ifname);
		close(fd);
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		cs_err("--wire: cannot bind to %s: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = (int)idx;
	mr.mr_type = PACKET_MR_PROMISC; /* dropped by the kernel when the socket closes */
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		cs_err("--wire: cannot make %s promiscuous: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	/* Our own transmissions are not traffic (older kernels: sll_pkttype is checked too). */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) && errno != ENOPROTOOPT)
		cs_err("--wire: %s: PACKET_IGNORE_OUTGOING: %s (checking each frame instead)", ifname, strerror(errno));
	/* VLAN tags the NIC stripped come back as auxiliary data and are put back. */
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one))) {
		cs_err("--wire: %s: PACKET_AUXDATA: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP))
		cs_err("warning: --wire: %s is down (ip link set %s up)", ifname, ifname);
	cs->wire_fd[side] = fd;
	cs->wire_ifindex[side] = (int)idx;
	return 0;
}

/* One frame from a side into burst slot i: 1 got one, 0 nothing waiting, -1 one skipped. */
static int wire_recv(struct cardsim *cs, int side, uint32_t i, uint16_t *len_out)
{
	union {
		struct cmsghdr c;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	uint8_t *buf = cs_frame_buf(i);
	struct iovec iov = { buf, CLIF_DP_MAX_FRAME };
	struct sockaddr_ll from;
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t n;
	size_t len;

	memset(&m, 0, sizeof(m));
	memset(&from, 0, sizeof(from));
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = &ctl;
	m.msg_controllen = sizeof(ctl);
	n = recvmsg(cs->wire_fd[side], &m, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return 0; /* EAGAIN, or an error poll() reports */
	if (from.sll_pkttype == PACKET_OUTGOING)
		return -1;
	len = (size_t)n;
	if (len > CLIF_DP_MAX_FRAME) {
		cs->oversize++;
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		struct tpacket_auxdata aux;
		uint16_t tpid;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || len < 12)
			continue;
		if (len + 4 > CLIF_DP_MAX_FRAME) {
			cs->oversize++;
			return -1;
		}
		tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
		memmove(buf + 16, buf + 12, len - 12);
		buf[12] = (uint8_t)(tpid >> 8);
		buf[13] = (uint8_t)tpid;
		buf[14] = (uint8_t)(aux.tp_vlan_tci >> 8);
		buf[15] = (uint8_t)aux.tp_vlan_tci;
		len += 4;
	}
	*len_out = (uint16_t)len;
	return 1;
}

static void run_wire(struct cardsim *cs)
{
	struct cs_burst b = { 0 };

	while (!cs_stopping()) {
		struct pollfd pf[2] = { { cs->wire_fd[0], POLLIN, 0 }, { cs->wire_fd[1], POLLIN, 0 } };
		int live[2] = { 1, 1 }, side, rc;
		uint64_t sent = 0;
		uint32_t i;

		rc = poll(pf, 2, 100);
		if (rc <= 0)
			continue;
		for (side = 0; side < 2; side++)
			if (pf[side].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				int err = 0;
				socklen_t sl = sizeof(err);

				/* e.g. the interface went down: clear the error, do not spin on it */
				getsockopt(cs->wire_fd[side], SOL_SOCKET, SO_ERROR, &err, &sl);
				cs_sleep_ns(10000000ull);
			}
		b.n = 0;
		while (b.n < CLIF_DP_BURST && (live[0] || live[1]))
			for (side = 0; side < 2 && b.n < CLIF_DP_BURST; side++) {
				uint16_t len = 0;

				if (!live[side])
					continue;
				rc = wire_recv(cs, side, b.n, &len);
				if (rc == 0)
					live[side] = 0;
				if (rc != 1)
					continue;
				b.meta[b.n].frame_len = len;
				b.meta[b.n].vport = (uint16_t)(side + 1); /* port A: vport 1, port B: vport 2 */
				b.meta[b.n].rsvd = 0;
				b.side[b.n] = (uint8_t)side;
				b.n++;
			}
		if (!b.n)
			continue;
		cs_dp_run(cs, &b);
		for (i = 0; i < b.n; i++) {
			/* What the data plane forwarded (the frame as it came) goes out of the other port. */
			if (send(cs->wire_fd[!b.side[i]], cs_fwd_buf(i), b.meta[i].frame_len, 0) ==
			    (ssize_t)b.meta[i].frame_len)
				sent++;
			else
				cs->tx_errors++;
		}
		cs_frames_out(cs, sent);
	}
}

/* ---- the traffic thread ---- */

int cs_source_open(struct cardsim *cs)
{
	cs->wire_fd[0] = cs->wire_fd[1] = -1;
	switch (cs->o.src) {
	case CS_SRC_PCAP:
		g_pcap = pcap_open_checked(cs->o.pcap);
		return g_pcap ? 0 : -1;
	case CS_SRC_WIRE:
		if (wire_open(cs, 0, cs->o.if_a) || wire_open(cs, 1, cs->o.if_b)) {
			cs_source_close(cs);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

void cs_source_close(struct cardsim *cs)
{
	int side;

	if (g_pcap)
		pcap_close(g_pcap);
	g_pcap = NULL;
	for (side = 0; side < 2; side++) {
		if (cs->wire_fd[side] >= 0)
			close(cs->wire_fd[side]);
		cs->wire_fd[side] = -1;
	}
}

int cs_source_failed(void)
{
	return g_src_failed;
}

void *cs_traffic_thread(void *arg)
{
	struct cardsim *cs = arg;

	unsigned played = 0;

	for (;;) {
		/* --hold: each SIGUSR1 main counts in released plays the source once more */
		while (cs->o.hold && played >= __atomic_load_n(&cs->released, __ATOMIC_ACQUIRE)) {
			if (cs_stopping())
				return NULL;
			cs_sleep_ns(1000000ull);
		}
		if (!played && cs->o.wait_ring && cs_wait_armed(cs))
			return NULL;
		switch (cs->o.src) {
		case CS_SRC_PCAP:
			run_pcap(cs);
			break;
		case CS_SRC_GEN:
			run_gen(cs);
			break;
		case CS_SRC_WIRE:
			run_wire(cs);
			break;
		default:
			break;
		}
		played++;
		if (cs_stopping() || cs->o.src == CS_SRC_WIRE)
			return NULL;
		if (!cs->o.hold || cs->o.exit_after_source || g_src_failed)
			break;
		cs_info("cardsim: source played %u times: %llu frames through the data plane; SIGUSR1 plays it again",
			played, (unsigned long long)cs->frames_in);
	}
	cs_info("cardsim: source done: %llu frames through the data plane%s", (unsigned long long)cs->frames_in,
		cs->o.exit_after_source ? "" : "; the card stays up until SIGINT/SIGTERM");
	if (cs->oversize)
		cs_info("cardsim: %llu frames longer than %u bytes skipped", (unsigned long long)cs->oversize,
			CLIF_DP_MAX_FRAME);
	if (cs->short_caps)
		cs_info("cardsim: %llu frames cut short by the capture's snap length (delivered as captured)",
			(unsigned long long)cs->short_caps);
	if (cs->o.exit_after_source) {
		cs_wait_drained(cs);
		__atomic_store_n(&cs->source_done, 1, __ATOMIC_RELEASE);
		kill(getpid(), SIGUSR1); /* main (sigwait) shuts the card down */
	}
	return NULL;
}
