#!/bin/sh
# ipmi_sim's chassis_control hook for the tests (lan.conf.in):
#   chassis_control.sh <lab dir> get power         -> "power:1" or "power:0", from <lab dir>/power (1 if absent)
#   chassis_control.sh <lab dir> set <parm> <val>  -> recorded as "<parm> <val>" in <lab dir>/actions.log;
#                                                     "power" also sets <lab dir>/power
dir=$1
op=$2
if [ -z "$dir" ] || [ -z "$op" ]; then
  echo "usage: $0 <lab dir> get|set ..."
  exit 1
fi
shift 2
case $op in
  get)
    for parm in "$@"; do
      case $parm in
        power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 1)" ;;
        boot) echo "boot:default" ;;
        *) echo "Invalid parameter: $parm"; exit 1 ;;
      esac
    done
    ;;
  set)
    while [ $# -ge 2 ]; do
      parm=$1
      val=$2
      shift 2
      echo "$parm $val" >> "$dir/actions.log"
      case $parm in
        power) echo "$val" > "$dir/power" ;;
        reset|boot|identify) ;;
        *) echo "Invalid parameter: $parm"; exit 1 ;;
      esac
    done
    ;;
  *)
    echo "Unknown operation: $op"
    exit 1
    ;;
esac
