# Vitis HLS script for the CLIF data plane: C simulation against the golden model, then C
# synthesis of clif_dp_top for II=1 on a 512-bit stream at 322 MHz.
#
#   cd <repository root> && vitis_hls -f hls/csynth.tcl
#   CLIF_PART=xcu280-fsvh2892-2L-e vitis_hls -f hls/csynth.tcl    (another part)
#
# Vitis HLS is not installable on the machines this project is built and tested on, so this
# script has not been run there; see hls/README.md for what is and is not claimed.

set part xcu250-figd2104-2L-e
if {[info exists ::env(CLIF_PART)]} { set part $::env(CLIF_PART) }
set cflags "-Iinclude -Ihls -std=c11"

open_project -reset build/vitis/clif_dp
set_top clif_dp_top
foreach f {parser.c tables.c capture.c dataplane.c top.c} {
	add_files hls/$f -cflags $cflags
}
foreach f {tb/csim.c tb/pktgen.c tb/placer.c golden/golden.c} {
	add_files -tb hls/$f -cflags "$cflags -Ihls/tb"
}

open_solution -reset solution1 -flow_target vivado
set_part $part
# 322.265625 MHz: the 100GbE MAC's 512-bit user clock
create_clock -period 3.103 -name default
config_interface -m_axi_addr64
config_compile -pipeline_loops 64

csim_design -argv "--packets 100000"
csynth_design
exit
