# firmware/: the card's ARM firmware. The portable core (firmware/core) also builds for the
# host: the unit tests and clif-cardsim (boards/sim) link it.

DIR_CFLAGS_firmware := -Ifirmware/include

FW_CORE_SRCS := $(wildcard firmware/core/*.c)
FW_CORE_OBJS := $(FW_CORE_SRCS:%.c=$(BUILD)/obj/%.o)
FW_CORE_SAN_OBJS := $(FW_CORE_SRCS:%.c=$(BUILD)/san/%.o)
