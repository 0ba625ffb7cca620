"""The NAO (and Pepper) adapter: the robot protocol onto NAOqi services through ``qi``."""
