print("render-atlas")
