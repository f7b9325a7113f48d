// The command tree lands once the modules it wires (Store, Encoders, Ingest, Answering) are in.
print("atlasqa")
