/* vb-qemu-tap.c: the TAP devices a command asks for (VB_QEMU_FD_TAP), opened by the daemon and
 * passed to QEMU, which then needs no privilege for the network: /dev/net/tun, named as the
 * domain asks or "vnet%d", up, and added to its bridge. The device goes away with its last
 * descriptor, when QEMU exits. Blocking (ioctls): runs in the launcher's worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"

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

gboolean
vb_qemu_tap_open(const VbQemuFdRequest *request, int *fd_out, GError **error)
{
  struct ifreq ifr = {0};
  const char *name = request->ifname != NULL ? request->ifname : "vnet%d";
  int fd;

  if (request->kind == VB_QEMU_FD_BRIDGE_HELPER) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "the interface '%s' needs qemu-bridge-helper to join the bridge %s as an "
                "unprivileged user, which the session instance does not run yet; use the system "
                "instance or <interface type='user'>",
                request->alias, request->bridge);
    return FALSE;
  }
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
