/* vb-qmp-private.h: the insides of VbQmp, shared by its connection and command queue
 * (vb-qmp.c) and its reading of what QEMU sends (vb-qmp-dispatch.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gunixfdlist.h>

#include "vb-qmp-stream.h"
#include "vb-qmp.h"

G_BEGIN_DECLS

typedef enum {
  VB_QMP_STATE_GREETING,    /* waiting for {"QMP": …} */
  VB_QMP_STATE_NEGOTIATING, /* qmp_capabilities sent */
  VB_QMP_STATE_READY,
  VB_QMP_STATE_CLOSED,
} VbQmpState;

typedef struct {
  GTask *task;        /* (nullable) (owned): NULL once answered early, or for qmp_capabilities */
  char *name;         /* (owned): the command, for messages */
  char *id;           /* (owned) */
  char *line;         /* (owned): the serialised command with its line end */
  gsize length;       /* of line */
  GUnixFDList *fds;   /* (nullable) (owned): sent with the first byte of line */
  gboolean raw;       /* the passthrough: the reply goes back as text */
  JsonNode *user_id;  /* (nullable) (owned): the id the passthrough caller chose */
  GSource *timeout;   /* (nullable) (owned) */
  GSource *cancelled; /* (nullable) (owned) */
  gboolean negotiate; /* our own qmp_capabilities */
} VbQmpCommand;

struct _VbQmp {
  GObject parent_instance;

  GSocket *socket;       /* (owned) */
  GMainContext *context; /* (owned) */
  GSource *read_source;  /* (nullable) (owned) */
  GSource *write_source; /* (nullable) (owned) */
  VbQmpStream *stream;   /* (owned) */
  VbQmpState state;

  guint version;
  char *package;      /* (nullable) (owned) */
  GStrv capabilities; /* (nullable) (owned): from the greeting */

  GPtrArray *handshakes;   /* (element-type GTask) (owned): waiting for VB_QMP_STATE_READY */
  GQueue queue;            /* (element-type VbQmpCommand) (owned): not sent yet */
  VbQmpCommand *in_flight; /* (nullable) (owned): on the wire, waiting for its reply */
  gsize in_flight_sent;    /* bytes of in_flight->line written */
  guint64 next_id;
  GError *closed_reason; /* (nullable) (owned) */
};

void vb_qmp_command_free(VbQmpCommand *command);
void vb_qmp_drop_source(GSource **source);
void vb_qmp_send_next(VbQmp *self);
void vb_qmp_close_with(VbQmp *self, GError *reason, gboolean notify);
void vb_qmp_emit_event(VbQmp *self, const char *name, JsonObject *data, gint64 timestamp);

/* vb-qmp-dispatch.c */
void vb_qmp_complete_handshakes(VbQmp *self, const GError *error);
gboolean vb_qmp_on_message(JsonObject *message, gpointer data);

G_END_DECLS
