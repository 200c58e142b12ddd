#!/usr/bin/env bash
# Removes everything the one-node cluster of test/helpers/k8s-node.ts put on this host, whatever
# state it was left in: run by the harness's stop(), and by the reaper's detached watcher when
# the test process was killed (then kubelet and containerd are already dead, pods may still run).
#
#   node-teardown.sh DIR BRIDGE CGROUP KUBE_PROXY
#
#   DIR         the node's directory (containerd root/state/socket, kubelet root, CNI state,
#               sysctls.saved)
#   BRIDGE      the CNI bridge's name
#   CGROUP      the kubelet's cgroup root (one name under each v1 hierarchy)
#   KUBE_PROXY  the kube-proxy binary (its --cleanup removes its chains), or "-"
# Idempotent; never fails (each step is best effort), and touches only what it names.
set -u
dir=$1 bridge=$2 cgroup=$3 kube_proxy=$4
sock="$dir/containerd/containerd.sock"

# 1. Pods: every container task of our containerd killed and deleted (if it still answers), then
#    any shim of ours still alive (their command line names our socket).
if [ -S "$sock" ]; then
  for ns in $(ctr -a "$sock" namespaces ls -q 2>/dev/null); do
    for t in $(ctr -a "$sock" -n "$ns" tasks ls -q 2>/dev/null); do
      ctr -a "$sock" -n "$ns" tasks kill -s SIGKILL "$t" >/dev/null 2>&1
    done
  done
fi
for pid in $(pgrep -f -- "-address $sock" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
# The containers' processes themselves (a shim killed first leaves them): by cgroup.
for h in /sys/fs/cgroup/*/; do
  [ -d "$h$cgroup" ] || continue
  find "$h$cgroup" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
done
sleep 0.5

# 2. Mounts under the node's directory (rootfs overlays, projected volumes, shm, pod netns), deepest first.
awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
done

# 3. The bridge (pod network namespaces are mounts under DIR: containerd's netns_mounts_under_state_dir).
ip link del "$bridge" 2>/dev/null

# 4. cgroups: the kubelet's root under each hierarchy, leaves first (a cgroup is removed with rmdir).
for h in /sys/fs/cgroup/*/; do
  [ -d "$h$cgroup" ] && find "$h$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null
done

# 5. iptables: kube-proxy's own cleanup, then every KUBE-* chain the kubelet made, with the rules
#    that jump to them from the built-in chains (IPv4 and IPv6, both back ends).
[ "$kube_proxy" != - ] && [ -x "$kube_proxy" ] && "$kube_proxy" --cleanup >/dev/null 2>&1
for ipt in iptables ip6tables iptables-legacy ip6tables-legacy; do
  command -v "$ipt" >/dev/null || continue
  for table in filter nat mangle; do
    rules=$("$ipt" -w -t "$table" -S 2>/dev/null) || continue
    echo "$rules" | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -vE '^-A KUBE-' | sed 's/^-A /-D /' | while read -r r; do
      eval "$ipt -w -t $table $r" 2>/dev/null
    done
    chains=$(echo "$rules" | sed -n 's/^-N \(KUBE-[^ ]*\)$/\1/p')
    for c in $chains; do "$ipt" -w -t "$table" -F "$c" 2>/dev/null; done
    for c in $chains; do "$ipt" -w -t "$table" -X "$c" 2>/dev/null; done
  done
done

# 6. sysctls the kubelet (kernel.panic, kernel.panic_on_oops, vm.overcommit_memory) and the
#    bridge plugin (net.ipv4.ip_forward) changed: back to the values saved at start.
if [ -f "$dir/sysctls.saved" ]; then
  while read -r k v; do sysctl -qw "$k=$v" 2>/dev/null; done <"$dir/sysctls.saved"
fi

rm -rf "$dir" 2>/dev/null || true
exit 0
