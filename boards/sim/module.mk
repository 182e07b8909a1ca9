# boards/sim: clif-cardsim, the card as a host process.
