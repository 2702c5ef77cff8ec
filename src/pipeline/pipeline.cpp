// placeholder while the stage is written
