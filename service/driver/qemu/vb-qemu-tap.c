/* vb-qemu-tap.c: the TAP devices a command asks for, passed to QEMU, which then needs no
 * privilege for the network. VB_QEMU_FD_TAP: opened by the daemon (/dev/net/tun, named as the
 * domain asks or "vnet%d", up, added to its bridge). VB_QEMU_FD_BRIDGE_HELPER: for an
 * unprivileged instance, made by QEMU's setuid qemu-bridge-helper (as libvirt's session
 * driver does), which checks /etc/qemu/bridge.conf and hands the TAP back over a socket. The
 * device goes away with its last descriptor, when QEMU exits. Blocking (ioctls, the helper):
 * runs in the launcher's worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"

/* Debian's, from qemu-system-common */
#define VB_QEMU_BRIDGE_HELPER "/usr/lib/qemu/qemu-bridge-helper"

static gboolean
fail(GError **error, const char *what, const char *name, int saved)
{
  g_set_error(error, VB_ERROR, saved == EPERM ? VB_ERROR_ACCESS_DENIED : VB_ERROR_FAILED,
              "cannot %s the TAP device %s: %s", what, name, g_strerror(saved));
  return FALSE;
}

/* Up, and a port of @bridge when it is set. */
static gboolean
attach(const char *ifname, const char *bridge, GError **error)
{
  struct ifreq ifr = {0};
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int index;

  if (sock < 0)
    return fail(error, "configure", ifname, errno);
  g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
    goto failed;
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
    goto failed;
  if (bridge != NULL) {
    if (ioctl(sock, SIOCGIFINDEX, &ifr) != 0)
      goto failed;
    index = ifr.ifr_ifindex;
    memset(&ifr, 0, sizeof ifr);
    g_strlcpy(ifr.ifr_name, bridge, IFNAMSIZ);
    ifr.ifr_ifindex = index;
    if (ioctl(sock, SIOCBRADDIF, &ifr) != 0) {
      int saved = errno;

      close(sock);
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                  "cannot add the TAP device %s to the bridge %s: %s", ifname, bridge,
                  g_strerror(saved));
      return FALSE;
    }
  }
  close(sock);
  return TRUE;

failed : {
  int saved = errno;

  close(sock);
  return fail(error, "bring up", ifname, saved);
}
}

/* The descriptor the helper sends with SCM_RIGHTS, or -1. */
static int
receive_fd(int sock)
{
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE(sizeof(int))];
  } control;
  struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buffer,
      .msg_controllen = sizeof control.buffer,
  };
  struct cmsghdr *cmsg;
  int fd = -1;

  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) <= 0)
    return -1;
  for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
        cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
      memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  }
  return fd;
}

static gboolean
bridge_helper(const VbQemuFdRequest *request, int *fd_out, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) helper = NULL;
  g_autofree char *bridge = g_strconcat("--br=", request->bridge, NULL);
  g_autofree char *said = NULL;
  int pair[2], fd;

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return fail(error, "make a socket for", request->bridge, errno);
  g_subprocess_launcher_take_fd(launcher, pair[1], 3);
  helper = g_subprocess_launcher_spawn(launcher, error, VB_QEMU_BRIDGE_HELPER, "--use-vnet", bridge,
                                       "--fd=3", NULL);
  if (helper == NULL) {
    close(pair[0]);
    g_prefix_error(error, "the interface '%s': ", request->alias);
    return FALSE;
  }
  if (!g_subprocess_communicate_utf8(helper, NULL, NULL, NULL, &said, error)) {
    close(pair[0]);
    return FALSE;
  }
  fd = g_subprocess_get_successful(helper) ? receive_fd(pair[0]) : -1;
  close(pair[0]);
  if (fd < 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                "the interface '%s': %s gave no TAP device on the bridge %s: %s (the bridge must "
                "exist and be allowed in /etc/qemu/bridge.conf, e.g. 'allow %s')",
                request->alias, VB_QEMU_BRIDGE_HELPER, request->bridge,
                said != NULL && *g_strstrip(said) != '\0' ? said : "it said nothing",
                request->bridge);
    return FALSE;
  }
  *fd_out = fd;
  return TRUE;
}

gboolean
vb_qemu_tap_open(const VbQemuFdRequest *request, int *fd_out, GError **error)
{
  struct ifreq ifr = {0};
  const char *name = request->ifname != NULL ? request->ifname : "vnet%d";
  int fd;

  if (request->kind == VB_QEMU_FD_BRIDGE_HELPER)
    return bridge_helper(request, fd_out, error);
  if (strlen(name) >= IFNAMSIZ) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "the TAP device name '%s' is longer than %d bytes", name, IFNAMSIZ - 1);
    return FALSE;
  }
  fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return fail(error, "open /dev/net/tun for", name, errno);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int saved = errno;

    close(fd);
    return fail(error, "create", name, saved);
  }
  if (!attach(ifr.ifr_name, request->bridge, error)) {
    close(fd);
    return FALSE;
  }
  *fd_out = fd;
  return TRUE;
}
