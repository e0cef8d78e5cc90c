"""Pass 1 of prompt similarity on Spark (the optional extra ``linkage[spark]``): ``linkage similarity --engine
spark``. Everything after pass 1 is the local engine's code, so both give the same families and links."""

from linkage.similarity.spark.engine import SparkPass1
from linkage.similarity.spark.session import spark_session

__all__ = ["SparkPass1", "spark_session"]
