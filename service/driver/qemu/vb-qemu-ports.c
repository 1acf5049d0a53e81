/* vb-qemu-ports.c: the TCP ports of displays chosen at start (autoport), from qemu.conf's
 * remote_display_port_min..max as libvirt does: a port another domain of this driver uses or is
 * starting with is skipped, and so is one the host already has bound (another program, or a
 * libvirt domain on the same host). The port chosen goes into the live definition, so the live
 * XML shows it and a restarted driver knows it from the status file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"

static void
collect_ports(GHashTable *used, const VbDomainDef *def)
{
  for (guint i = 0; def != NULL && i < def->graphics->len; i++) {
    const VbGraphicsDef *g = def->graphics->pdata[i];

    if (g->port > 0)
      g_hash_table_add(used, GINT_TO_POINTER((gint)g->port));
    if (g->tls_port > 0)
      g_hash_table_add(used, GINT_TO_POINTER((gint)g->tls_port));
  }
}

/* Whether the host lets us bind @port on @address (NULL: every address). */
static gboolean
host_port_free(const char *address, guint port)
{
  struct sockaddr_in6 six = {.sin6_family = AF_INET6, .sin6_port = htons((guint16)port)};
  struct sockaddr_in four = {.sin_family = AF_INET, .sin_port = htons((guint16)port)};
  struct sockaddr *where = (struct sockaddr *)&four;
  socklen_t length = sizeof four;
  int one = 1, fd;
  gboolean free_port;

  if (address != NULL && inet_pton(AF_INET6, address, &six.sin6_addr) == 1) {
    where = (struct sockaddr *)&six;
    length = sizeof six;
  } else if (address == NULL || inet_pton(AF_INET, address, &four.sin_addr) != 1) {
    /* a host name, or none: QEMU may listen on any of them */
    four.sin_addr.s_addr = htonl(INADDR_ANY);
  }
  fd = socket(where->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return TRUE;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  free_port = bind(fd, where, length) == 0;
  close(fd);
  return free_port;
}

static gboolean
take_port(
    const VbQemuConf *conf, GHashTable *used, const char *address, gint64 *port, GError **error)
{
  for (guint p = conf->remote_display_port_min; p <= conf->remote_display_port_max; p++) {
    if (g_hash_table_contains(used, GINT_TO_POINTER((gint)p)) || !host_port_free(address, p))
      continue;
    g_hash_table_add(used, GINT_TO_POINTER((gint)p));
    *port = p;
    return TRUE;
  }
  g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
              "no free display port between %u and %u (qemu.conf remote_display_port_min and "
              "remote_display_port_max of %s)",
              conf->remote_display_port_min, conf->remote_display_port_max, conf->filename);
  return FALSE;
}

/**
 * vb_qemu_ports_assign:
 * @def: the live copy being started; its displays with no port get one
 *
 * Call it with @domain's `starting` set to @def, so that other starts see these ports taken.
 */
gboolean
vb_qemu_ports_assign(VbDomainObj *domain, VbDomainDef *def, GError **error)
{
  VbDriver *driver = domain->driver;
  const VbQemuConf *conf = vb_driver_get_conf(driver);
  g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
  g_autoptr(GPtrArray) domains = vb_driver_list_domains(driver);

  for (guint i = 0; i < domains->len; i++) {
    VbDomainObj *other = domains->pdata[i];

    if (other == domain)
      continue;
    if (other->process != NULL)
      collect_ports(used, other->live);
    collect_ports(used, other->starting);
  }
  for (guint i = 0; i < def->graphics->len; i++) {
    VbGraphicsDef *g = def->graphics->pdata[i];
    /* a display QEMU listens for on TCP, with no port given */
    const char *address = vb_qemu_display_tcp_address(conf, g);

    if (address == NULL || g->port > 0)
      continue;
    if (!take_port(conf, used, address, &g->port, error))
      return FALSE;
    /* SPICE with TLS on: its TLS port is chosen too (libvirt's autoport) */
    if (g->type == VB_GRAPHICS_SPICE && conf->spice_tls && g->autoport && g->tls_port <= 0 &&
        !take_port(conf, used, address, &g->tls_port, error))
      return FALSE;
  }
  return TRUE;
}
