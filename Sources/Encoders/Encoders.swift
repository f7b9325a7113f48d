import AtlasCore
