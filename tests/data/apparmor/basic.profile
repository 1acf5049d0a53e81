#
# The AppArmor profile of one virtbus domain, made from /etc/apparmor.d/virtbus/TEMPLATE.qemu
# when the domain first starts confined. Edits made here are kept; the domain's own paths are
# in the .files include, which virtbus writes anew at every start.
#
#include <tunables/global>

profile virtbus-6f3a2c1e-8b4d-4e2a-9c7f-1a2b3c4d5e6f flags=(attach_disconnected) {
  #include <abstractions/virtbus-qemu>
  #include <virtbus/virtbus-6f3a2c1e-8b4d-4e2a-9c7f-1a2b3c4d5e6f.files>
}
