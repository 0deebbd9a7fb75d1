import FieldlineServer; import ArgumentParser; print("x")
