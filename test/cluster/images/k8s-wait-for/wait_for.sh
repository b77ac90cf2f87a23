#!/bin/sh
# wait_for.sh — the e2e tests' stand-in for groundnuty/k8s-wait-for, written for this project
# (not upstream's script): the subset of its command line the tests use, polling with kubectl
# under the pod's ServiceAccount and printing kubectl's errors (Forbidden ...) as it goes.
#   wait_for.sh job[-we] NAME|-lSELECTOR [-n NS]   until the Job(s) are complete (-we: or failed)
#   wait_for.sh pod NAME|-lSELECTOR [-n NS]        until the pod(s) are Ready
#   wait_for.sh service NAME [-n NS]               until the pods the Service selects are Ready
# It polls every WAIT_TIME seconds (default 2); exit 0 when done, 2 on a bad command line.
set -u
usage() {
  echo "usage: wait_for.sh pod|job|job-we|service NAME|-lSELECTOR [-n NAMESPACE]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
what=$1
shift
name='' sel='' ns=''
while [ $# -gt 0 ]; do
  case $1 in
    -l) [ $# -ge 2 ] || usage; sel=$2; shift ;;
    -l*) sel=${1#-l} ;;
    -n) [ $# -ge 2 ] || usage; ns=$2; shift ;;
    -n*) ns=${1#-n} ;;
    -*) usage ;;
    *) name=$1 ;;
  esac
  shift
done
[ -n "$name$sel" ] || usage
case $what in job | job-we | pod | service) ;; *) usage ;; esac
[ "$what" != service ] || [ -n "$name" ] || usage
label="$what $name$sel${ns:+ in namespace $ns}"

# query KIND TEMPLATE: prints TEMPLATE (a jsonpath) for the object named name, or for each one
# sel selects; kubectl's own error (Forbidden, NotFound) is printed and the query fails.
query() {
  if [ -n "$name" ]; then
    out=$(kubectl get ${ns:+-n "$ns"} "$1" "$name" -o "jsonpath=$2" 2>&1)
  else
    out=$(kubectl get ${ns:+-n "$ns"} "$1" -l "$sel" -o "jsonpath={range .items[*]}$2{end}" 2>&1)
  fi || {
    echo "$out"
    return 1
  }
  echo "$out"
}

# all_ready: every pod queried is Ready, and there is one at least.
all_ready() {
  states=$(query pod '{.status.conditions[?(@.type=="Ready")].status}{" "}') || {
    echo "$states"
    return 1
  }
  case " $states" in *" False"* | *" Unknown"* | " ") return 1 ;; esac
  [ -n "$states" ]
}

done_yet() {
  case $what in
    job | job-we)
      conds=$(query job '{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}{";"}') || {
        echo "$conds"
        return 1
      }
      [ -n "$conds" ] || return 1
      rest=$conds
      while [ -n "$rest" ]; do
        c=${rest%%;*}
        rest=${rest#*;}
        case "$c" in
          *Complete*) ;;
          *Failed*) [ "$what" = job-we ] || return 1 ;;
          *) return 1 ;;
        esac
      done
      ;;
    pod) all_ready ;;
    service)
      s=$(kubectl get ${ns:+-n "$ns"} service "$name" -o 'jsonpath={.spec.selector}' 2>&1) || {
        echo "$s"
        return 1
      }
      # {"app":"db","tier":"x"} -> app=db,tier=x
      sel=$(echo "$s" | tr -d '{}"' | tr ':' '=')
      [ -n "$sel" ] || return 1
      svc=$name
      name=''
      all_ready
      ok=$?
      name=$svc
      return $ok
      ;;
  esac
}

until done_yet; do
  echo "Waiting for $label..."
  sleep "${WAIT_TIME:-2}"
done
echo "$label is ready"
