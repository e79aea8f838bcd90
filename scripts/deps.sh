#!/usr/bin/env bash
# Install the programs osg-build's builds and tests use, when missing.
# Debian/Ubuntu (apt-get) and EL/Fedora (dnf) are supported. Runs apt-get
# update at most once. Uses sudo when not root.
set -euo pipefail

need_cmds=(rpm rpmbuild rpmsign rpm2cpio cpio git svn svnadmin svnserve quilt rpmlint createrepo_c dnf python3 gzip gpg gpgconf)
apt_extra=()
dnf_extra=()
# --test: also what only the tests use (a headless browser for the web pages;
# the grid tools that must accept the proxies osg-build makes; MIT Kerberos's
# KDC and client for the throwaway realm of the Kerberos tests)
if [ "${1:-}" = "--test" ]; then
  need_cmds+=(chromium openssl grid-proxy-info voms-proxy-info krb5kdc kdb5_util kadmin.local kinit klist)
  apt_extra+=(chromium openssl globus-proxy-utils voms-clients krb5-kdc krb5-admin-server krb5-user)
  dnf_extra+=(chromium openssl globus-proxy-utils voms-clients-cpp krb5-server krb5-workstation)
fi
missing=()
for c in "${need_cmds[@]}"; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: missing ${missing[*]}; installing" >&2

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps: not root and no sudo: install ${missing[*]} by hand" >&2; exit 1
  fi
fi

if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    rpm rpm2cpio cpio git subversion quilt rpmlint createrepo-c dnf python3 gzip gpg gpg-agent "${apt_extra[@]}" >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $SUDO dnf install -y -q rpm-build rpm rpm-sign cpio git subversion quilt rpmlint createrepo_c dnf python3 gzip gnupg2 "${dnf_extra[@]}"
else
  echo "deps: no apt-get or dnf here: install ${missing[*]} by hand" >&2
  exit 1
fi
