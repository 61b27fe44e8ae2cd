"""Stand-in for airflow: a DAG context manager that records its settings and operators."""

CURRENT = []
DAGS = []


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.operators = {}
        self.edges = []
        DAGS.append(self)

    def __enter__(self):
        CURRENT.append(self)
        return self

    def __exit__(self, *exc):
        CURRENT.pop()
        return False


class BaseOperator:
    def __init__(self, task_id, **kwargs):
        if not CURRENT:
            raise RuntimeError("operator created outside a DAG")
        self.dag = CURRENT[-1]
        if task_id in self.dag.operators:
            raise RuntimeError("duplicate task_id " + task_id)
        self.task_id = task_id
        self.kwargs = kwargs
        self.dag.operators[task_id] = self

    def __rshift__(self, other):
        targets = other if isinstance(other, list) else [other]
        for t in targets:
            self.dag.edges.append((self.task_id, t.task_id))
        return other
