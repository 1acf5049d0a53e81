/* vb-domain-sound.c: <sound> devices and the <audio> backends they play through.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

static const char *const other_sound_models[] = {"sb16", "pcspk", "ich7", "virtio", NULL};
static const char *const other_audio_types[] = {
    "alsa", "coreaudio", "jack", "oss", "pulseaudio", "sdl", "file", "dbus", "pipewire", NULL};

gboolean
vb_domain_parse_sounds(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) sounds = vb_xml_children(devices, "sound");
  g_autoptr(GPtrArray) audios = vb_xml_children(devices, "audio");

  for (guint i = 0; i < audios->len; i++) {
    xmlNode *node = audios->pdata[i];
    VbAudioDef *audio = g_new0(VbAudioDef, 1);
    gint type = VB_ABSENT;

    g_ptr_array_add(def->audios, audio);
    audio->id = i + 1; /* libvirt numbers backends without an id in order */
    if (!vb_xml_attr_enum_subset(node, "type", vb_audio_type_names, other_audio_types, &type,
                                 error) ||
        !vb_xml_attr_uint(node, "id", G_MAXINT32, &audio->id, error))
      return FALSE;
    if (type == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "an <audio> needs a type: 'none' or 'spice'");
      return FALSE;
    }
    audio->type = (VbAudioType)type;
    if (audio->id == 0) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "id", "audio ids start at 1");
      return FALSE;
    }
    for (guint j = 0; j < i; j++) {
      if (((VbAudioDef *)def->audios->pdata[j])->id == audio->id) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "id",
                         "two <audio>s have the id %" G_GUINT64_FORMAT, audio->id);
        return FALSE;
      }
    }
  }

  for (guint i = 0; i < sounds->len; i++) {
    xmlNode *node = sounds->pdata[i];
    xmlNode *audio = vb_xml_child(node, "audio");
    VbSoundDef *sound = vb_sound_def_new(VB_SOUND_ICH9);
    gint model = VB_ABSENT;

    g_ptr_array_add(def->sounds, sound);
    if (!vb_xml_attr_enum_subset(node, "model", vb_sound_model_names, other_sound_models, &model,
                                 error))
      return FALSE;
    if (model == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a <sound> needs a model such as 'ich9'");
      return FALSE;
    }
    sound->model = (VbSoundModel)model;
    if (audio != NULL) {
      gboolean found = FALSE;

      if (!vb_xml_attr_uint(audio, "id", G_MAXINT32, &sound->audio_id, error))
        return FALSE;
      for (guint j = 0; j < def->audios->len && !found; j++)
        found = ((VbAudioDef *)def->audios->pdata[j])->id == sound->audio_id;
      if (!found) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, audio, "id",
                         "no <audio> has the id %" G_GUINT64_FORMAT, sound->audio_id);
        return FALSE;
      }
    }
    if (!vb_device_info_parse(node, &sound->info, FALSE, error))
      return FALSE;
  }
  return TRUE;
}

void
vb_domain_format_sounds(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->sounds->len; i++) {
    const VbSoundDef *sound = def->sounds->pdata[i];

    vb_xml_writer_start(w, "sound");
    vb_xml_writer_attr(w, "model", vb_sound_model_names[sound->model]);
    if (sound->audio_id != 0) {
      vb_xml_writer_start(w, "audio");
      vb_xml_writer_attr_printf(w, "id", "%" G_GUINT64_FORMAT, sound->audio_id);
      vb_xml_writer_end(w);
    }
    vb_device_info_format(w, &sound->info, flags);
    vb_xml_writer_end(w);
  }
  for (guint i = 0; i < def->audios->len; i++) {
    const VbAudioDef *audio = def->audios->pdata[i];

    vb_xml_writer_start(w, "audio");
    vb_xml_writer_attr_printf(w, "id", "%" G_GUINT64_FORMAT, audio->id);
    vb_xml_writer_attr(w, "type", vb_audio_type_names[audio->type]);
    vb_xml_writer_end(w);
  }
}
