print("atlasqa")
