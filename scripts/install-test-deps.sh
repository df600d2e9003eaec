#!/usr/bin/env bash
# Debian packages the test suite uses as real peers: chronyd/chronyc (chrony source, NTP interop),
# ntpdig (NTP interop), sshd + ssh (deploy tests in network namespaces), iproute2 (ip netns),
# slurmctld, slurmd, slurm-client and munge (scripts/slurm-lab.sh: a real Slurm cluster in namespaces),
# linuxptp (ptp source: real ptp4l master and slave in namespaces, queried with pmc),
# chromium (report page test), fonts (text in figures), poppler-utils (pdftoppm and pdffonts: the
# figure PDFs open, fonts embedded); python3, make and g++ build the udp_stamp native addon (kernel
# receive timestamps; npm run build warns and falls back without them, and a test fails); python3
# also runs the independent ChronoTick segment writer (test/support/chronotick_writer.py) and reads
# adjtimex in the ptp test.
set -euo pipefail
pkgs=(chrony ntpsec-ntpdig openssh-server openssh-client iproute2 slurmctld slurmd slurm-client munge linuxptp chromium fonts-dejavu-core poppler-utils procps python3 make g++)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "test dependencies present: ${pkgs[*]}"; exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postinst may start daemons where an init system exists; the tests run their own private instances.
